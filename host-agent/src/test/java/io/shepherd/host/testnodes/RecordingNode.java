package io.shepherd.host.testnodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node that records every callback, with the thread it ran on, per node path. Param
 * {@code block-in} makes that callback sleep for {@code block-ms}.
 */
public final class RecordingNode implements Node {

  /** path -> "callback@thread" in call order. */
  public static final Map<String, List<String>> CALLS = new ConcurrentHashMap<>();

  private NodeContext context;
  private String blockIn = "";
  private long blockMs;

  public static List<String> calls(String path) {
    return CALLS.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
  }

  public static List<String> callbacks(String path) {
    return calls(path).stream().map(c -> c.substring(0, c.indexOf('@'))).toList();
  }

  @Override
  public void configure(NodeContext context, Params params) throws InterruptedException {
    this.context = context;
    this.blockIn = params.getString("block-in", "");
    this.blockMs = params.getLong("block-ms", 0);
    record("configure");
  }

  @Override
  public void initialize() throws InterruptedException {
    record("initialize");
  }

  @Override
  public void start() throws InterruptedException {
    record("start");
  }

  @Override
  public void stop() throws InterruptedException {
    record("stop");
  }

  @Override
  public void close() throws InterruptedException {
    record("close");
  }

  private void record(String callback) throws InterruptedException {
    calls(context.path().toString()).add(callback + "@" + Thread.currentThread().getName());
    if (callback.equals(blockIn)) {
      Thread.sleep(blockMs);
    }
  }
}
