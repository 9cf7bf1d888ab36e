import { Adam, ADAM_DEFAULTS } from '../../models/adam.js';
import { tf } from '../../models/backend.js';
import { generateImages } from '../../models/generate.js';
import { initParameters, parameterCount } from '../../models/mlp.js';
import {
  LATENT_SIZE,
  SEED_MLP_DISCRIMINATOR,
  SEED_MLP_GENERATOR,
  SEED_MLP_NAME,
} from '../../models/seed-mlp.js';
import { trainStep, type Gan } from '../gan-step.js';
import type { Recipe } from '../recipe.js';

/** The tutorial's recipe: Adam with PyTorch's defaults at 0.002, the generator served as is. */
export const seedMlpRecipe: Recipe = {
  architecture: SEED_MLP_NAME,
  classes: 0,
  latentSize: LATENT_SIZE,
  sizes: {
    generator: parameterCount(SEED_MLP_GENERATOR),
    discriminator: parameterCount(SEED_MLP_DISCRIMINATOR),
  },
  adam: ADAM_DEFAULTS,
  defaultLearningRate: 0.002,
  initialise(random) {
    return {
      generator: initParameters(SEED_MLP_GENERATOR, random),
      discriminator: initParameters(SEED_MLP_DISCRIMINATOR, random),
    };
  },
  start(checkpoint, learningRate) {
    const adam = { learningRate, ...ADAM_DEFAULTS };
    const gan: Gan = {
      generatorSpec: SEED_MLP_GENERATOR,
      discriminatorSpec: SEED_MLP_DISCRIMINATOR,
      generator: tf.keep(tf.tensor1d(checkpoint.generator)),
      discriminator: tf.keep(tf.tensor1d(checkpoint.discriminator)),
      generatorOptimizer: new Adam(adam, checkpoint.generatorAdam),
      discriminatorOptimizer: new Adam(adam, checkpoint.discriminatorAdam),
    };
    return {
      step(images, _labels, rows, random) {
        const batch = tf.tensor2d(images, [rows, images.length / rows]);
        const losses = trainStep(gan, batch, random);
        batch.dispose();
        return losses;
      },
      sample: (latents, _digits, count) =>
        generateImages(SEED_MLP_GENERATOR, gan.generator, latents, count),
      servingParameters: () => new Float32Array(gan.generator.dataSync()),
      snapshot: () => ({
        generator: new Float32Array(gan.generator.dataSync()),
        discriminator: new Float32Array(gan.discriminator.dataSync()),
        generatorAdam: gan.generatorOptimizer.save(),
        discriminatorAdam: gan.discriminatorOptimizer.save(),
      }),
      dispose() {
        tf.dispose([gan.generator, gan.discriminator]);
        gan.generatorOptimizer.dispose();
        gan.discriminatorOptimizer.dispose();
      },
    };
  },
};
