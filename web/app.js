// The page talks to the server only through its HTTP API, both ways a front end can:
// an <img src> pointed at /generate (the shared-seed view) and the JSON form's data URL
// (the Generate button, which also learns the seed it got).

const SCALE = 10;
const MAX_SEED = 4294967295;
const RECENT_LIMIT = 12;

const digit = document.getElementById('digit');
const seedOut = document.getElementById('seed');
const modelOut = document.getElementById('model');
const button = document.getElementById('generate');
const recent = document.getElementById('recent');

function showSeed(seed) {
  seedOut.textContent = String(seed);
  digit.alt = `A generated handwritten digit, seed ${seed}`;
  digit.dataset.seed = String(seed);
}

function remember(seed, src) {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = `/?seed=${seed}`;
  const image = document.createElement('img');
  image.src = src;
  image.alt = `digit with seed ${seed}`;
  link.append(image);
  item.append(link);
  recent.prepend(item);
  while (recent.children.length > RECENT_LIMIT) recent.lastElementChild.remove();
}

async function generate() {
  button.disabled = true;
  try {
    const response = await fetch(`/generate?format=json&scale=${SCALE}`);
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const body = await response.json();
    digit.src = body.image;
    showSeed(body.seed);
    modelOut.textContent = body.model;
    history.replaceState(null, '', `/?seed=${body.seed}`);
    remember(body.seed, body.image);
  } catch (error) {
    seedOut.textContent = `error: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

async function showModel() {
  const response = await fetch('/health');
  if (response.ok) modelOut.textContent = (await response.json()).model;
}

const seed = new URLSearchParams(location.search).get('seed');
if (seed !== null && /^\d+$/.test(seed) && Number(seed) <= MAX_SEED) {
  digit.src = `/generate?seed=${seed}&scale=${SCALE}`;
  showSeed(seed);
  showModel();
} else {
  generate();
}
button.addEventListener('click', generate);
