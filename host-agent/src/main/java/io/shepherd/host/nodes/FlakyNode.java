package io.shepherd.host.nodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.time.Duration;
import java.util.Locale;

/**
 * A node that crashes on purpose, to show and test self-healing.
 *
 * <p>Params: {@code fail-in} (a callback: configure, initialize, start, stop or close; it throws),
 * {@code fail-after} (while running, a node thread throws after this long), {@code fail-times}
 * (only the first N incarnations fail; default: all).
 */
public final class FlakyNode implements Node {

  private NodeContext context;
  private String failIn;
  private Duration failAfter;
  private boolean failing;
  private volatile Thread bomb;

  @Override
  public void configure(NodeContext context, Params params) {
    this.context = context;
    this.failIn = params.getString("fail-in", "none").toLowerCase(Locale.ROOT);
    this.failAfter = params.getDuration("fail-after", Duration.ZERO);
    long failTimes = params.getLong("fail-times", Long.MAX_VALUE, 0, Long.MAX_VALUE);
    this.failing = context.incarnation() <= failTimes;
    maybeFail("configure");
  }

  @Override
  public void initialize() {
    maybeFail("initialize");
  }

  @Override
  public void start() {
    maybeFail("start");
    if (failing && !failAfter.isZero()) {
      bomb = context.threadFactory().newThread(() -> {
        try {
          Thread.sleep(failAfter.toMillis());
        } catch (InterruptedException e) {
          return;
        }
        throw new IllegalStateException("flaky node failed after " + failAfter.toMillis() + " ms");
      });
      bomb.start();
    }
  }

  @Override
  public void stop() {
    Thread thread = bomb;
    if (thread != null) {
      thread.interrupt();
    }
    maybeFail("stop");
  }

  @Override
  public void close() {
    Thread thread = bomb;
    if (thread != null) {
      thread.interrupt();
    }
    maybeFail("close");
  }

  private void maybeFail(String callback) {
    if (failing && callback.equals(failIn)) {
      throw new IllegalStateException("flaky node failed in " + callback + " (incarnation " + context.incarnation() + ")");
    }
  }
}
