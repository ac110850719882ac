package io.shepherd.client;

/**
 * A live subscription to the cluster's log records ({@link ShepherdClient#subscribeLogs}). Records
 * reach the consumer in time order, each once, across a Manager failover too. A consumer that is
 * slower than the stream is never waited for: records are dropped for it, and it is told how many.
 */
public final class LogSubscription implements AutoCloseable {

  private final Runnable stop;

  LogSubscription(Runnable stop) {
    this.stop = stop;
  }

  /** Ends the subscription; the consumer gets no record afterwards (one in progress finishes). */
  @Override
  public void close() {
    stop.run();
  }
}
