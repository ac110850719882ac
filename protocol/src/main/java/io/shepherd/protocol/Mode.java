package io.shepherd.protocol;

/**
 * How a node recovers from a crash (LIGO Guardian). {@code AUTO}: it is restarted with backoff and
 * driven back to its requested state. {@code MANAGED}: it holds where it landed and is reported
 * stalled until a new request or a revive.
 */
public enum Mode {
  AUTO,
  MANAGED
}
