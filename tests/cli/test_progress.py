import io

from logistic_neuron.cli.progress import ProgressBar


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_draws_on_a_terminal_and_clears():
    stream = FakeTerminal()
    bar = ProgressBar(10, stream, width=10)
    bar.update(10)
    assert "[##########] 10/10" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r\033[K")


def test_silent_in_logs_and_pipes():
    stream = io.StringIO()
    bar = ProgressBar(10, stream)
    bar.update(5)
    bar.update(10)
    bar.close()
    assert stream.getvalue() == ""
