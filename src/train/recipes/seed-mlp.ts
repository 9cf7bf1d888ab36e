import { ADAM_DEFAULTS } from '../../models/adam.js';
import { tf } from '../../models/backend.js';
import { generateImages } from '../../models/generate.js';
import { Trainable } from '../../models/net/trainable.js';
import {
  LATENT_SIZE,
  SEED_MLP_DISCRIMINATOR,
  SEED_MLP_GENERATOR,
  SEED_MLP_NAME,
  mlpNetwork,
} from '../../models/seed-mlp.js';
import { trainStep, type Gan } from '../gan-step.js';
import type { Recipe } from '../recipe.js';

const generatorNetwork = mlpNetwork(SEED_MLP_GENERATOR);
const discriminatorNetwork = mlpNetwork(SEED_MLP_DISCRIMINATOR);

/** The tutorial's recipe: Adam with PyTorch's defaults at 0.002, the generator served as is. */
export const seedMlpRecipe: Recipe = {
  architecture: SEED_MLP_NAME,
  classes: 0,
  latentSize: LATENT_SIZE,
  sizes: { generator: generatorNetwork.size, discriminator: discriminatorNetwork.size },
  adam: ADAM_DEFAULTS,
  defaultLearningRate: 0.002,
  initialise(random) {
    return {
      generator: generatorNetwork.initialParameters(random),
      discriminator: discriminatorNetwork.initialParameters(random),
    };
  },
  start(checkpoint) {
    const adam = { learningRate: checkpoint.settings.learningRate, ...ADAM_DEFAULTS };
    const gan: Gan = {
      generator: new Trainable(
        generatorNetwork,
        checkpoint.generator,
        adam,
        checkpoint.generatorAdam,
      ),
      discriminator: new Trainable(
        discriminatorNetwork,
        checkpoint.discriminator,
        adam,
        checkpoint.discriminatorAdam,
      ),
      latentSize: LATENT_SIZE,
    };
    const { generator, discriminator } = gan;
    return {
      step(images, _labels, rows, random) {
        const batch = tf.tensor2d(images, [rows, images.length / rows]);
        const losses = trainStep(gan, batch, random);
        batch.dispose();
        return losses;
      },
      sample: (latents, _digits, count) =>
        generateImages(generatorNetwork, generator.parameters, latents, count),
      servingParameters: () => generator.flatParameters(),
      snapshot: () => ({
        generator: generator.flatParameters(),
        discriminator: discriminator.flatParameters(),
        generatorAdam: generator.adamState(),
        discriminatorAdam: discriminator.adamState(),
      }),
      dispose() {
        generator.dispose();
        discriminator.dispose();
      },
    };
  },
};
