// Activation: which YAML the extension gives the server.
import { test } from "node:test";
import * as assert from "node:assert/strict";

import { isKubernetes, MAX_LINES } from "../src/kubernetes";

test("a manifest is Kubernetes", () => {
  assert.ok(isKubernetes("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"));
  assert.ok(isKubernetes("# comment\nkind: Service\r\napiVersion: v1\r\n"));
  assert.ok(isKubernetes("a: 1\n---\napiVersion: apps/v1\nkind: Deployment\n"));
});

test("other YAML is not", () => {
  assert.ok(!isKubernetes("name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"));
  assert.ok(!isKubernetes("replicaCount: 2\nimage:\n  repository: nginx\n"), "Helm values");
  assert.ok(!isKubernetes("spec:\n  apiVersion: v1\n  kind: Pod\n"), "nested keys do not count");
  assert.ok(!isKubernetes("apiVersion: v1\n---\nkind: Pod\n"), "split across documents");
  assert.ok(!isKubernetes(""));
});

test("only the first lines are read", () => {
  const padding = "x: 1\n".repeat(MAX_LINES);
  assert.ok(!isKubernetes(padding + "apiVersion: v1\nkind: Pod\n"));
});
