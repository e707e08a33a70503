// logistic-neuron's page: plain JavaScript, no libraries, nothing loaded from elsewhere.
"use strict";

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- helpers

function element(tag, attributes, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children || []) node.appendChild(child);
  return node;
}

// Every answer of the API is JSON; an error is {"error": "one line"}.
async function api(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (failure) {
    throw new Error("the server did not answer (is logistic-neuron serve still running?)");
  }
  let body = null;
  try {
    body = await response.json();
  } catch (failure) {
    body = null;
  }
  if (!response.ok) {
    const message = body && body.error ? body.error : `the server answered ${response.status}`;
    const error = new Error(message);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

function showError(id, message) {
  const box = $(id);
  if (message) {
    box.textContent = message;
    box.hidden = false;
  } else {
    box.textContent = "";
    box.hidden = true;
  }
}

const percent = (value) => (value === null || value === undefined ? "–" : `${Number(value).toFixed(1)} %`);

// ---------------------------------------------------------------- the model

let limits = null;

async function loadModel() {
  let model;
  try {
    model = await api("/api/model");
  } catch (failure) {
    $("model-status").textContent = failure.message;
    return;
  }
  limits = model.limits;
  $("limit-hint").textContent =
    `Several photos at once make a gallery (up to ${model.limits.max_images} photos, ` +
    `${model.limits.max_upload_text} in all).`;
  $("version").textContent = `logistic-neuron ${model.version}`;
  const weights = $("weights");
  weights.replaceChildren();
  if (!model.loaded) {
    $("model-status").textContent = `No model yet: ${model.message.replace(/^no model yet: /, "")}.`;
    $("model-summary").textContent = "Train a model below to see its weights.";
    return;
  }
  const [negative, positive] = model.classes;
  $("model-status").replaceChildren(
    document.createTextNode("Model: "),
    element("strong", { text: `${positive} or ${negative}` }),
    document.createTextNode(
      ` (${model.origin}; ${model.size_text} images, test accuracy ${percent(model.test_accuracy)})`,
    ),
  );
  $("model-summary").textContent =
    `Learned from ${model.data} in ${model.num_iterations} iterations at learning rate ` +
    `${model.learning_rate}: train accuracy ${percent(model.train_accuracy)}, ` +
    `test accuracy ${percent(model.test_accuracy)}. Photos are resized to ${model.size_text}.`;
  for (const picture of model.weights) {
    weights.appendChild(
      element("figure", {}, [
        element("img", { src: picture.png, alt: `weights: ${picture.title}` }),
        element("figcaption", { text: picture.title }),
      ]),
    );
  }
}

// ---------------------------------------------------------------- try your own photo

const photoURLs = new Map();

function predictionCard(prediction, positiveClass, photoURL) {
  const positive = prediction.label === 1;
  const probability = prediction.probability;
  const bar = element("div", { className: "bar" }, [element("span")]);
  bar.firstChild.style.width = `${(100 * probability).toFixed(1)}%`;
  const photo = element("img", { alt: `${prediction.image}`, className: "photo" });
  photo.src = photoURL || prediction.model_view;
  // Formats a browser cannot show (TIFF ...) fall back to the model's own view.
  photo.addEventListener("error", () => {
    if (photo.src !== prediction.model_view) photo.src = prediction.model_view;
  });
  const overlay = element("img", {
    className: "overlay",
    src: prediction.contributions,
    alt: "contribution of each pixel",
  });
  const views = element("div", { className: "views" }, [
    element("figure", {}, [
      element("div", { className: "overlay-box" }, [photo, overlay]),
      element("figcaption", { text: "w·x per pixel over the photo" }),
    ]),
    element("figure", {}, [
      element("img", { className: "pixels model-view", src: prediction.model_view, alt: "as the model sees it" }),
      element("figcaption", { text: "as the model sees it" }),
    ]),
    element("figure", {}, [
      element("img", { className: "pixels", src: prediction.contributions, alt: "contributions" }),
      element("figcaption", { text: "contributions w·x" }),
    ]),
  ]);
  const notes = prediction.preprocessing.length
    ? element("p", { className: "notes", text: prediction.preprocessing.join("; ") })
    : element("p", { className: "notes", text: "used as it is" });
  return element("article", { className: "card prediction", "data-label": String(prediction.label) }, [
    element("h3", { text: prediction.image }),
    element("p", { className: `verdict ${positive ? "positive" : "negative"}`, text: prediction.class }),
    element("p", {}, [
      document.createTextNode(`p(${positiveClass}) = `),
      element("span", { className: "probability", text: probability.toFixed(4) }),
      element("span", { className: "z", text: `z = w·x + b = ${prediction.z.toFixed(3)}` }),
    ]),
    bar,
    views,
    notes,
  ]);
}

function failedCard(name, message) {
  return element("article", { className: "card failed" }, [
    element("h3", { text: name }),
    element("p", { text: message }),
  ]);
}

async function predictFiles(files) {
  const list = Array.from(files).filter((file) => file && file.size !== undefined);
  if (!list.length) return;
  showError("predict-error", "");
  const form = new FormData();
  for (const file of list) form.append("image", file, file.name || "pasted image");
  $("drop-zone").setAttribute("aria-busy", "true");
  let answer;
  try {
    answer = await api("/api/predict", { method: "POST", body: form });
  } catch (failure) {
    showError("predict-error", failure.message);
    return;
  } finally {
    $("drop-zone").removeAttribute("aria-busy");
  }
  const gallery = $("gallery");
  const cards = [];
  answer.predictions.forEach((prediction) => {
    const file = list.find((f) => (f.name || "pasted image") === prediction.image);
    let url = null;
    if (file) {
      url = URL.createObjectURL(file);
      photoURLs.set(url, true);
    }
    cards.push(predictionCard(prediction, answer.positive_class, url));
  });
  for (const failure of answer.errors) cards.push(failedCard(failure.image, failure.error));
  if (answer.errors.length) {
    showError("predict-error", answer.errors.map((e) => e.error).join("\n"));
  }
  for (const card of cards.reverse()) gallery.prepend(card);
}

function setUpPhotos() {
  const zone = $("drop-zone");
  $("file-input").addEventListener("change", (event) => {
    predictFiles(event.target.files);
    event.target.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    predictFiles(event.dataTransfer.files);
  });
  document.addEventListener("paste", (event) => {
    const files = [];
    for (const item of event.clipboardData ? event.clipboardData.items : []) {
      if (item.kind === "file") files.push(item.getAsFile());
    }
    if (files.length) {
      event.preventDefault();
      predictFiles(files);
    }
  });
}

// ---------------------------------------------------------------- watch it learn

const run = { costs: [], accuracy: [], iterations: 0, source: null, id: null };

function drawChart() {
  const canvas = $("cost-chart");
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 760;
  const height = Math.round(width * 320 / 760);
  if (canvas.width !== Math.round(width * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const left = 58, right = 58, top = 28, bottom = 40;
  const plotW = width - left - right, plotH = height - top - bottom;
  const maxX = Math.max(run.iterations, 1);
  const costs = run.costs.filter((p) => Number.isFinite(p.cost));
  const maxCost = Math.max(0.1, ...costs.map((p) => p.cost)) * 1.05;
  const x = (i) => left + (plotW * i) / maxX;
  const yCost = (c) => top + plotH * (1 - c / maxCost);
  const yAcc = (a) => top + plotH * (1 - a / 100);

  g.font = "12px system-ui, sans-serif";
  g.strokeStyle = "#d8dde3";
  g.fillStyle = "#5b6570";
  g.lineWidth = 1;
  for (let k = 0; k <= 4; k += 1) {
    const yy = top + (plotH * k) / 4;
    g.beginPath(); g.moveTo(left, yy); g.lineTo(left + plotW, yy); g.stroke();
    g.textAlign = "right";
    g.fillText((maxCost * (1 - k / 4)).toFixed(2), left - 6, yy + 4);
    g.textAlign = "left";
    g.fillText(`${100 - 25 * k} %`, left + plotW + 6, yy + 4);
  }
  g.textAlign = "center";
  for (let k = 0; k <= 4; k += 1) {
    const value = Math.round((maxX * k) / 4);
    g.fillText(String(value), x(value), top + plotH + 16);
  }
  g.fillText("iteration", left + plotW / 2, top + plotH + 32);
  g.save();
  g.translate(14, top + plotH / 2); g.rotate(-Math.PI / 2); g.fillText("cost", 0, 0);
  g.restore();
  g.save();
  g.translate(width - 10, top + plotH / 2); g.rotate(Math.PI / 2); g.fillText("accuracy", 0, 0);
  g.restore();

  function line(points, xOf, yOf, colour, dashed) {
    if (!points.length) return;
    g.strokeStyle = colour;
    g.lineWidth = 2;
    g.setLineDash(dashed ? [5, 4] : []);
    g.beginPath();
    points.forEach((p, i) => (i ? g.lineTo(xOf(p), yOf(p)) : g.moveTo(xOf(p), yOf(p))));
    g.stroke();
    g.setLineDash([]);
  }
  line(costs, (p) => x(p.iteration), (p) => yCost(p.cost), "#1d232b", false);
  line(run.accuracy, (p) => x(p.after), (p) => yAcc(p.train), "#1b7837", true);
  line(run.accuracy, (p) => x(p.after), (p) => yAcc(p.test), "#d95f02", true);

  const legend = [["cost", "#1d232b", false], ["train accuracy", "#1b7837", true], ["test accuracy", "#d95f02", true]];
  let lx = left;
  g.textAlign = "left";
  for (const [name, colour, dashed] of legend) {
    g.strokeStyle = colour; g.lineWidth = 2; g.setLineDash(dashed ? [5, 4] : []);
    g.beginPath(); g.moveTo(lx, 14); g.lineTo(lx + 24, 14); g.stroke(); g.setLineDash([]);
    g.fillStyle = "#1d232b"; g.fillText(name, lx + 30, 18);
    lx += 40 + g.measureText(name).width + 16;
  }
  canvas.dataset.points = String(costs.length);
}

function setRunning(running) {
  $("train-button").disabled = running;
  $("stop-button").disabled = !running;
  if (running) $("save-button").disabled = true;
}

function showNote(message) {
  const note = $("train-note");
  note.textContent = message || "";
  note.hidden = !message;
}

function resetRun(id, iterations) {
  showNote("");
  run.note = null;
  run.costs = [];
  run.accuracy = [];
  run.iterations = iterations;
  run.id = id;
  for (const name of ["iteration", "cost-value", "train-accuracy", "test-accuracy", "elapsed", "engine"]) {
    $(name).textContent = "–";
  }
  drawChart();
}

function follow(job) {
  if (run.source) run.source.close();
  resetRun(job.id, job.iterations);
  setRunning(true);
  $("train-status").textContent = `Run ${job.id}: starting…`;
  const source = new EventSource(`/api/train/events?job=${job.id}`);
  run.source = source;
  const started = performance.now();
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "loading") {
      $("train-status").textContent = `Run ${job.id}: loading ${event.data}…`;
    } else if (event.type === "started") {
      run.iterations = event.iterations;
      $("engine").textContent = event.engine;
      $("train-status").textContent =
        `Run ${job.id}: ${event.iterations} iterations of ${event.optimizer} at learning rate ` +
        `${event.learning_rate} on ` +
        `${event.m_train} training and ${event.m_test} test images (${event.classes.join(" / ")}).`;
    } else if (event.type === "progress") {
      run.costs.push({ iteration: event.iteration, cost: event.cost });
      $("iteration").textContent = String(event.after);
      $("cost-value").textContent = Number.isFinite(event.cost) ? event.cost.toFixed(6) : String(event.cost);
      if (event.train_accuracy !== undefined) {
        run.accuracy.push({ after: event.after, train: event.train_accuracy, test: event.test_accuracy });
        $("train-accuracy").textContent = percent(event.train_accuracy);
        $("test-accuracy").textContent = percent(event.test_accuracy);
      }
      $("elapsed").textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
      drawChart();
    } else if (event.type === "note") {
      run.note = event;
      showNote(event.message);
    } else if (event.type === "finished" || event.type === "stopped") {
      source.close();
      setRunning(false);
      $("save-button").disabled = false;
      run.accuracy.push({ after: event.iterations, train: event.train_accuracy, test: event.test_accuracy });
      $("iteration").textContent = String(event.iterations);
      $("train-accuracy").textContent = percent(event.train_accuracy);
      $("test-accuracy").textContent = percent(event.test_accuracy);
      $("elapsed").textContent = `${event.seconds.toFixed(2)} s`;
      $("engine").textContent = event.engine;
      const count = `${event.iterations} iteration${event.iterations === 1 ? "" : "s"}`;
      const how = event.type === "stopped" ? `stopped after ${count}` : count;
      $("train-status").textContent =
        `Run ${job.id}: ${how} in ${event.seconds.toFixed(2)} s (engine ${event.engine}): ` +
        `train accuracy ${percent(event.train_accuracy)}, test accuracy ${percent(event.test_accuracy)}. ` +
        "Photos are now scored with this model.";
      $("train-status").dataset.state = event.type;
      const first = run.costs.length ? run.costs[0].cost : null;
      if (run.note && first !== null && event.final_cost < first) {
        showNote(
          `The cost rose above its starting value at iteration ${run.note.iteration}, then fell ` +
          `to ${event.final_cost.toFixed(6)}: learning rate ${job.learning_rate} works, but it ` +
          "is on the large side.",
        );
      }
      drawChart();
      loadModel();
    } else if (event.type === "failed") {
      source.close();
      setRunning(false);
      $("train-status").textContent = `Run ${job.id} failed.`;
      $("train-status").dataset.state = "failed";
      showError("train-error", event.message);
    }
  };
  source.onerror = () => {
    // The stream closes after the final event; before it, the browser reconnects by itself.
    if (source.readyState === EventSource.CLOSED) setRunning(false);
  };
}

async function startTraining(event) {
  event.preventDefault();
  showError("train-error", "");
  const settings = {
    data: $("data-choice").value,
    learning_rate: Number($("learning-rate").value),
    iterations: Number($("iterations").value),
    optimizer: $("optimizer").value,
  };
  $("train-status").dataset.state = "running";
  try {
    const answer = await api("/api/train", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(settings),
    });
    follow(answer.job);
  } catch (failure) {
    showError("train-error", failure.message);
  }
}

async function stopTraining() {
  try {
    await api("/api/train/stop", { method: "POST" });
    // The run may have ended while the request was on its way: its final line stays.
    if ($("train-status").dataset.state === "running") {
      $("train-status").textContent = "Stopping…";
    }
  } catch (failure) {
    showError("train-error", failure.message);
  }
}

async function saveModel() {
  try {
    const answer = await api("/api/model/save", { method: "POST" });
    $("train-status").textContent = `Model saved as ${answer.saved} in ${answer.folder}.`;
  } catch (failure) {
    showError("train-error", failure.message);
  }
}

function setUpRate() {
  const slider = $("rate-slider");
  const box = $("learning-rate");
  slider.addEventListener("input", () => {
    box.value = String(Number(Math.pow(10, Number(slider.value)).toPrecision(2)));
  });
  box.addEventListener("input", () => {
    const value = Number(box.value);
    if (value > 0) slider.value = String(Math.log10(value));
  });
}

async function setUpTraining() {
  setUpRate();
  $("train-form").addEventListener("submit", startTraining);
  $("stop-button").addEventListener("click", stopTraining);
  $("save-button").addEventListener("click", saveModel);
  window.addEventListener("resize", drawChart);
  drawChart();
  let info;
  try {
    info = await api("/api/train");
  } catch (failure) {
    showError("train-error", failure.message);
    return;
  }
  const select = $("data-choice");
  for (const choice of info.choices) {
    select.appendChild(element("option", { value: choice.id, text: choice.label }));
  }
  for (const optimizer of info.optimizers) {
    $("optimizer").appendChild(element("option", { value: optimizer.id, text: optimizer.label }));
  }
  $("optimizer").value = info.defaults.optimizer;
  $("learning-rate").value = String(info.defaults.learning_rate);
  $("rate-slider").value = String(Math.log10(info.defaults.learning_rate));
  $("iterations").value = String(info.defaults.iterations);
  // A run started earlier (or in another tab) is shown as it goes on; otherwise Train
  // becomes available now that the choices are in place.
  if (info.job && info.job.state === "running") follow(info.job);
  else $("train-button").disabled = false;
}

document.addEventListener("DOMContentLoaded", () => {
  setUpPhotos();
  setUpTraining();
  loadModel();
});
