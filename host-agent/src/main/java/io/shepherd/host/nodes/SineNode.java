package io.shepherd.host.nodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A signal generator: produces a sine wave at {@code rate} samples per second on its own thread
 * and logs a summary every {@code report-every}.
 *
 * <p>Params: {@code frequency} (Hz, default 1), {@code amplitude} (default 1), {@code rate}
 * (samples/s, 1 to 100000, default 100), {@code report-every} (default 5s), {@code keepalive}
 * (a keepalive deadline, default none).
 */
public final class SineNode implements Node {

  private NodeContext context;
  private double frequency;
  private double amplitude;
  private int rate;
  private Duration reportEvery;
  private Duration keepalive;
  private volatile boolean running;
  private Thread worker;
  private volatile long samples;
  private volatile double last;

  @Override
  public void configure(NodeContext context, Params params) {
    this.context = context;
    this.frequency = params.getDouble("frequency", 1.0);
    this.amplitude = params.getDouble("amplitude", 1.0);
    this.rate = (int) params.getLong("rate", 100, 1, 100_000);
    this.reportEvery = params.getDuration("report-every", Duration.ofSeconds(5));
    this.keepalive = params.getDuration("keepalive", Duration.ZERO);
    context.logger().info("configured: {} Hz, amplitude {}, {} samples/s", frequency, amplitude, rate);
  }

  @Override
  public void start() {
    running = true;
    worker = context.threadFactory().newThread(this::generate);
    worker.start();
  }

  private void generate() {
    long periodNanos = 1_000_000_000L / rate;
    long next = System.nanoTime();
    long reportAt = next + reportEvery.toNanos();
    while (running) {
      double t = samples / (double) rate;
      last = amplitude * Math.sin(2 * Math.PI * frequency * t);
      samples++;
      context.keepalive();
      next += periodNanos;
      long now = System.nanoTime();
      if (now >= reportAt) {
        context.logger().info("{} samples, last {}", samples, String.format("%.4f", last));
        reportAt = now + reportEvery.toNanos();
      }
      long wait = next - now;
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    if (worker != null) {
      worker.join(5_000);
    }
    context.logger().info("stopped after {} samples", samples);
  }

  @Override
  public void close() throws InterruptedException {
    if (running) {
      stop();
    }
  }

  @Override
  public Duration keepaliveDeadline() {
    return keepalive;
  }
}
