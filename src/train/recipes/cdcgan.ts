import { tf } from '../../models/backend.js';
import { runConditional } from '../../models/architectures.js';
import {
  CDCGAN_LATENT,
  CDCGAN_NAME,
  CLASSES,
  cdcganDiscriminator,
  cdcganGenerator,
} from '../../models/cdcgan.js';
import { Trainable } from '../../models/net/trainable.js';
import { acganStep } from '../acgan-step.js';
import type { Recipe } from '../recipe.js';

const generatorNetwork = cdcganGenerator();
const discriminatorNetwork = cdcganDiscriminator();

/** ACGAN training of cdcgan: Adam at 2e-4 with beta1 0.5, the DCGAN paper's settings. */
export const cdcganRecipe: Recipe = {
  architecture: CDCGAN_NAME,
  classes: CLASSES,
  latentSize: CDCGAN_LATENT,
  sizes: { generator: generatorNetwork.size, discriminator: discriminatorNetwork.size },
  adam: { beta1: 0.5, beta2: 0.999, epsilon: 1e-8 },
  defaultLearningRate: 2e-4,
  // The discriminator also learns the digit of fake images, as ACGAN was published.
  defaultFakeClassWeight: 1,
  defaultGeneratorClassWeight: 1,
  // ACGAN as published has no mode-seeking loss.
  defaultDiversityWeight: 0,
  // Serving an average of the generator's recent weights rather than the last ones smooths out
  // the step-to-step wobble of GAN training and gives visibly cleaner digits; keeping 0.999 of
  // it at each step averages over ~1000 steps, about an epoch.
  defaultAverageDecay: 0.999,
  // The published ACGAN discriminator judges each image alone.
  defaultSpreadGroup: 0,
  initialise(random) {
    return {
      generator: generatorNetwork.initialParameters(random),
      discriminator: discriminatorNetwork.initialParameters(random),
    };
  },
  start(checkpoint) {
    const adam = { learningRate: checkpoint.settings.learningRate, ...this.adam };
    const generator = new Trainable(
      generatorNetwork,
      checkpoint.generator,
      adam,
      checkpoint.generatorAdam,
    );
    const discriminator = new Trainable(
      cdcganDiscriminator(checkpoint.settings.spreadGroup ?? this.defaultSpreadGroup!),
      checkpoint.discriminator,
      adam,
      checkpoint.discriminatorAdam,
    );
    let average = generatorNetwork.toTensors(checkpoint.generatorAverage ?? checkpoint.generator);
    const gan = {
      generator,
      discriminator,
      latentSize: CDCGAN_LATENT,
      classes: CLASSES,
      fakeClassWeight: checkpoint.settings.fakeClassWeight ?? this.defaultFakeClassWeight!,
      generatorClassWeight:
        checkpoint.settings.generatorClassWeight ?? this.defaultGeneratorClassWeight!,
      diversityWeight: checkpoint.settings.diversityWeight ?? this.defaultDiversityWeight!,
    };
    const decay = checkpoint.settings.averageDecay ?? this.defaultAverageDecay!;
    return {
      step(images, labels, rows, random) {
        const batch = tf.tensor4d(images, [rows, 28, 28, 1]);
        const losses = acganStep(gan, batch, Int32Array.from(labels.subarray(0, rows)), random);
        batch.dispose();
        const next = tf.tidy(() =>
          average.map((a, i) =>
            tf.keep(tf.add(tf.mul(a, decay), tf.mul(generator.parameters[i], 1 - decay))),
          ),
        );
        tf.dispose(average);
        average = next;
        return losses;
      },
      sample: (latents, digits) => runConditional(generatorNetwork, average, latents, digits!),
      servingParameters: () => generatorNetwork.toFlat(average),
      snapshot: () => ({
        generator: generator.flatParameters(),
        discriminator: discriminator.flatParameters(),
        generatorAdam: generator.adamState(),
        discriminatorAdam: discriminator.adamState(),
        generatorAverage: generatorNetwork.toFlat(average),
      }),
      dispose() {
        generator.dispose();
        discriminator.dispose();
        tf.dispose(average);
      },
    };
  },
};
