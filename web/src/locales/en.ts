/**
 * Every string the page shows, in English. The keys are the dictionary's contract: es.ts must
 * give each of them. `{name}` marks a value filled in when the string is used.
 */
export const en = {
  pageTitle: 'mnist-gan: handwritten digits from a GAN',
  tagline: 'Handwritten digits drawn by a GAN trained on MNIST. Pick a model, a digit and a seed.',
  languageLabel: 'Language',
  viewsLabel: 'Views',
  tabGallery: 'Gallery',
  tabWalk: 'Latent walk',
  tabTraining: 'Training',

  modelLabel: 'Model',
  modelConditional: 'Conditional: draws the digit you pick.',
  modelUnconditional: 'Unconditional: each seed decides its own digit.',
  figureEpochs: 'Epochs',
  figureParameters: 'Parameters',
  figureFd: 'FD',
  figureFdTitle: 'Fréchet distance to real MNIST digits: lower is better',
  figureAccuracy: 'Accuracy',
  figureAccuracyTitle: 'Share of digits the classifier reads as the digit asked for',
  figureNotMeasured: 'not measured',
  figureUntrained: 'untrained',
  figureImported: 'imported',
  digitLegend: 'Digit',
  digitAny: 'Any',
  digitDisabled: 'This model cannot be asked for a particular digit.',

  countLabel: 'How many',
  seedLabel: 'First seed',
  seedHint: 'Digit n has seed + n. The same seed always draws the same digit.',
  draw: 'Draw',
  newDigits: 'New digits',
  previousSeeds: 'Previous seeds',
  nextSeeds: 'Next seeds',
  copyLink: 'Copy link',
  linkCopied: 'Link copied: it opens this very page.',
  linkNotCopied: 'Copying is not allowed here: share the address bar instead.',
  downloadGrid: 'Download all as one PNG',
  downloadDigit: 'Download seed {seed}',
  galleryLabel: 'Generated digits',
  digitAlt: 'Generated digit {digit}, seed {seed}',
  digitAltAny: 'Generated digit, seed {seed}',
  captionSeed: 'seed {seed}',
  galleryAnnounce: '{count} new digits, seeds {first} to {last}',
  galleryAnnounceOne: 'New digit, seed {first}',
  drawing: 'Drawing…',

  walkExplain:
    "Each frame mixes the two seeds' latent vectors, so one digit morphs smoothly into another.",
  walkFrom: 'From seed',
  walkTo: 'To seed',
  walkSteps: 'Frames',
  walkSpeed: 'Speed',
  walkSpeedValue: '{fps} frames a second',
  walkSpeedShort: '{fps} fps',
  walkPlay: 'Play',
  walkPause: 'Pause',
  walkRandom: 'Random seeds',
  walkFrame: 'Frame',
  walkFrameValue: 'frame {frame} of {frames}',
  walkAlt: 'Frame {frame} of {frames} of the walk from seed {from} to seed {to}',
  walkAnnounce: 'Walk from seed {from} to seed {to} is ready: {frames} frames',
  walkDownloadFrame: 'Download this frame',
  walkDownloadStrip: 'Download all frames as one PNG',

  trainingExplain:
    'A training run as it goes: the losses of both networks per epoch, and the same fixed ' +
    'latents drawn after every epoch.',
  trainingRun: 'Run',
  trainingNoRuns:
    'No training runs here. Train with "mnist-gan train" and start the server with --runs ' +
    'pointing at the folder that holds the run.',
  trainingLive: 'Connected: new epochs appear here as they finish.',
  trainingReconnecting: 'Connection lost: reconnecting…',
  trainingSummary: '{epochs} epochs, the last one written {when}.',
  trainingNewEpoch: 'Epoch {epoch} finished',
  chartTitle: 'Losses per epoch',
  chartEpoch: 'Epoch',
  chartDiscriminator: 'Discriminator',
  chartGenerator: 'Generator',
  chartLabel: 'Line chart of the discriminator and generator losses over {epochs} epochs',
  lossTable: 'The losses as a table',
  tableSeconds: 'Seconds',
  samplesTitle: 'Samples after each epoch',
  samplesEpoch: 'Epoch',
  samplesEpochValue: 'epoch {epoch} of {last}',
  sampleAlt: 'Digits drawn after epoch {epoch} of run {run}',
  sampleNone: 'No sample grids yet.',
  downloadSample: 'Download this grid',

  error: 'Something went wrong: {message}',
  apiDocs: 'API documentation',
  footer: "Every image comes from the server's HTTP API; the page has no model of its own.",
};

export type MessageKey = keyof typeof en;
export type Dictionary = Record<MessageKey, string>;
