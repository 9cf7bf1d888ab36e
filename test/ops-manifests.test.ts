import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';

/**
 * The Kubernetes manifests in deploy/kubernetes/ are never applied here (no cluster), so these
 * tests check what can go wrong between the files: a probe on the wrong path or port, a
 * Service sending traffic to a port the container does not open, an autoscaler aimed at a
 * Deployment of another name.
 */
const MANIFESTS = join(import.meta.dirname, '..', 'deploy', 'kubernetes');

// The shapes below cover only the fields these tests read.
interface ContainerPort {
  name?: string;
  containerPort: number;
}
interface Probe {
  httpGet: { path: string; port: number | string };
}
interface Container {
  name: string;
  ports: ContainerPort[];
  env: { name: string; value: string }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  readinessProbe: Probe;
  livenessProbe: Probe;
}
interface Deployment {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { terminationGracePeriodSeconds: number; containers: Container[] };
    };
  };
}
interface Service {
  kind: string;
  spec: {
    selector: Record<string, string>;
    ports: { port: number; targetPort: number | string }[];
  };
}
interface Autoscaler {
  apiVersion: string;
  kind: string;
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { type: string; resource: { name: string; target: { type: string } } }[];
  };
}

function readManifest<T>(file: string): T {
  return parse(readFileSync(join(MANIFESTS, file), 'utf8')) as T;
}

const deployment = readManifest<Deployment>('deployment.yaml');
const service = readManifest<Service>('service.yaml');
const autoscaler = readManifest<Autoscaler>('hpa.yaml');
const [container] = deployment.spec.template.spec.containers;

/** The container port a probe or Service names, by number or by the port's name. */
function containerPortOf(port: number | string): number | undefined {
  const match = container.ports.find((p) => p.name === port || p.containerPort === port);
  return match?.containerPort;
}

function envValue(name: string): string | undefined {
  return container.env.find((variable) => variable.name === name)?.value;
}

describe('deploy/kubernetes/deployment.yaml', () => {
  test('runs at least two replicas of one container listening on 8000 on all interfaces', () => {
    assert.equal(deployment.kind, 'Deployment');
    assert.ok(deployment.spec.replicas >= 2, `replicas: ${deployment.spec.replicas}`);
    assert.equal(deployment.spec.template.spec.containers.length, 1);
    assert.deepEqual(
      container.ports.map((p) => p.containerPort),
      [8000],
    );
    assert.equal(envValue('PORT'), '8000');
    assert.equal(envValue('HOST'), '0.0.0.0');
  });

  test('readiness asks GET /ready and liveness GET /health, both on the container port', () => {
    assert.equal(container.readinessProbe.httpGet.path, '/ready');
    assert.equal(containerPortOf(container.readinessProbe.httpGet.port), 8000);
    assert.equal(container.livenessProbe.httpGet.path, '/health');
    assert.equal(containerPortOf(container.livenessProbe.httpGet.port), 8000);
  });

  test('asks for and is limited to 1 CPU and 600 MiB, and starts one worker per CPU', () => {
    assert.deepEqual(container.resources.requests, { cpu: '1', memory: '600Mi' });
    assert.deepEqual(container.resources.limits, { cpu: '1', memory: '600Mi' });
    assert.equal(envValue('MNIST_GAN_WORKERS'), '1');
  });

  test('gives stopping pods time to finish their requests', () => {
    assert.equal(deployment.spec.template.spec.terminationGracePeriodSeconds, 30);
  });

  test('selects exactly the pods its own template labels', () => {
    assert.deepEqual(
      deployment.spec.selector.matchLabels,
      deployment.spec.template.metadata.labels,
    );
  });
});

describe('deploy/kubernetes/service.yaml', () => {
  test('sends port 80 to the port the container listens on', () => {
    assert.equal(service.kind, 'Service');
    assert.equal(service.spec.ports.length, 1);
    assert.equal(service.spec.ports[0].port, 80);
    assert.equal(containerPortOf(service.spec.ports[0].targetPort), 8000);
  });

  test("selects the Deployment's pods", () => {
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [label, value] of Object.entries(service.spec.selector)) {
      assert.equal(podLabels[label], value, `pod label ${label}`);
    }
  });
});

describe('deploy/kubernetes/hpa.yaml', () => {
  test('scales the Deployment named in deployment.yaml, through autoscaling/v2', () => {
    assert.equal(autoscaler.apiVersion, 'autoscaling/v2');
    assert.equal(autoscaler.kind, 'HorizontalPodAutoscaler');
    assert.deepEqual(autoscaler.spec.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'mnist-gan',
    });
    assert.equal(deployment.metadata.name, 'mnist-gan');
  });

  test("never goes below the Deployment's replicas, and scales on CPU utilisation", () => {
    assert.equal(autoscaler.spec.minReplicas, deployment.spec.replicas);
    assert.ok(autoscaler.spec.maxReplicas > autoscaler.spec.minReplicas);
    assert.deepEqual(
      autoscaler.spec.metrics.map((m) => [m.type, m.resource.name, m.resource.target.type]),
      [['Resource', 'cpu', 'Utilization']],
    );
  });
});
