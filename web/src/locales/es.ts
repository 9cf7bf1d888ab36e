import type { Dictionary } from './en.js';

/** Every string the page shows, in Spanish; the type makes a missing key a build error. */
export const es: Dictionary = {
  pageTitle: 'mnist-gan: dígitos manuscritos de una GAN',
  tagline:
    'Dígitos manuscritos dibujados por una GAN entrenada con MNIST. Elige un modelo, un dígito ' +
    'y una semilla.',
  languageLabel: 'Idioma',
  viewsLabel: 'Vistas',
  tabGallery: 'Galería',
  tabWalk: 'Paseo latente',
  tabTraining: 'Entrenamiento',

  modelLabel: 'Modelo',
  modelConditional: 'Condicional: dibuja el dígito que elijas.',
  modelUnconditional: 'Incondicional: cada semilla decide su propio dígito.',
  figureEpochs: 'Épocas',
  figureParameters: 'Parámetros',
  figureFd: 'FD',
  figureFdTitle: 'Distancia de Fréchet a dígitos reales de MNIST: cuanto menor, mejor',
  figureAccuracy: 'Precisión',
  figureAccuracyTitle: 'Parte de los dígitos que el clasificador lee como el dígito pedido',
  figureNotMeasured: 'sin medir',
  figureUntrained: 'sin entrenar',
  figureImported: 'importado',
  digitLegend: 'Dígito',
  digitAny: 'Cualquiera',
  digitDisabled: 'A este modelo no se le puede pedir un dígito concreto.',

  countLabel: 'Cuántos',
  seedLabel: 'Primera semilla',
  seedHint: 'El dígito n tiene la semilla + n. La misma semilla dibuja siempre el mismo dígito.',
  draw: 'Dibujar',
  newDigits: 'Dígitos nuevos',
  previousSeeds: 'Semillas anteriores',
  nextSeeds: 'Semillas siguientes',
  copyLink: 'Copiar enlace',
  linkCopied: 'Enlace copiado: abre exactamente esta página.',
  linkNotCopied: 'Aquí no se permite copiar: comparte la barra de direcciones.',
  downloadGrid: 'Descargar todos en un PNG',
  downloadDigit: 'Descargar la semilla {seed}',
  galleryLabel: 'Dígitos generados',
  digitAlt: 'Dígito {digit} generado, semilla {seed}',
  digitAltAny: 'Dígito generado, semilla {seed}',
  captionSeed: 'semilla {seed}',
  galleryAnnounce: '{count} dígitos nuevos, semillas {first} a {last}',
  galleryAnnounceOne: 'Dígito nuevo, semilla {first}',
  drawing: 'Dibujando…',

  walkExplain:
    'Cada fotograma mezcla los vectores latentes de las dos semillas, así que un dígito se ' +
    'transforma suavemente en otro.',
  walkFrom: 'Semilla inicial',
  walkTo: 'Semilla final',
  walkSteps: 'Fotogramas',
  walkSpeed: 'Velocidad',
  walkSpeedValue: '{fps} fotogramas por segundo',
  walkSpeedShort: '{fps} fps',
  walkPlay: 'Reproducir',
  walkPause: 'Pausa',
  walkRandom: 'Semillas al azar',
  walkFrame: 'Fotograma',
  walkFrameValue: 'fotograma {frame} de {frames}',
  walkAlt: 'Fotograma {frame} de {frames} del paseo de la semilla {from} a la semilla {to}',
  walkAnnounce: 'Paseo de la semilla {from} a la semilla {to} listo: {frames} fotogramas',
  walkDownloadFrame: 'Descargar este fotograma',
  walkDownloadStrip: 'Descargar todos los fotogramas en un PNG',

  trainingExplain:
    'Un entrenamiento en curso: las pérdidas de las dos redes en cada época y los mismos ' +
    'latentes fijos dibujados tras cada época.',
  trainingRun: 'Entrenamiento',
  trainingNoRuns:
    'No hay entrenamientos aquí. Entrena con "mnist-gan train" e inicia el servidor con --runs ' +
    'apuntando a la carpeta que lo contiene.',
  trainingLive: 'Conectado: las épocas nuevas aparecen aquí al terminar.',
  trainingReconnecting: 'Conexión perdida: reconectando…',
  trainingSummary: '{epochs} épocas; la última se escribió {when}.',
  trainingNewEpoch: 'Época {epoch} terminada',
  chartTitle: 'Pérdidas por época',
  chartEpoch: 'Época',
  chartDiscriminator: 'Discriminador',
  chartGenerator: 'Generador',
  chartLabel:
    'Gráfico de líneas de las pérdidas del discriminador y del generador en {epochs} épocas',
  lossTable: 'Las pérdidas en una tabla',
  tableSeconds: 'Segundos',
  samplesTitle: 'Muestras tras cada época',
  samplesEpoch: 'Época',
  samplesEpochValue: 'época {epoch} de {last}',
  sampleAlt: 'Dígitos dibujados tras la época {epoch} del entrenamiento {run}',
  sampleNone: 'Todavía no hay muestras.',
  downloadSample: 'Descargar esta cuadrícula',

  error: 'Algo ha fallado: {message}',
  apiDocs: 'Documentación de la API',
  footer: 'Cada imagen viene de la API HTTP del servidor; la página no tiene modelo propio.',
};
