package io.shepherd.host.testnodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records, per path, the checkpoint each incarnation found at configure. On start it saves
 * {@code saves} checkpoints "i<incarnation>-<n>" and raises a notification; with
 * {@code fail-first=true} its first incarnation then fails.
 */
public final class CheckpointingNode implements Node {

  public static final Map<String, List<String>> SEEN = new ConcurrentHashMap<>();

  private NodeContext context;
  private int saves;
  private boolean failFirst;
  private int size;

  public static List<String> seen(String path) {
    return SEEN.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
  }

  @Override
  public void configure(NodeContext context, Params params) {
    this.context = context;
    this.saves = params.getInt("saves", 1);
    this.failFirst = params.getBoolean("fail-first", false);
    this.size = params.getInt("size", 0);
    seen(context.path().toString()).add(context.lastCheckpoint().map(b -> new String(b, StandardCharsets.UTF_8)).orElse("none"));
  }

  @Override
  public void start() {
    if (size > 0) {
      context.checkpoint(new byte[size]);
    }
    for (int n = 1; n <= saves; n++) {
      context.checkpoint(("i" + context.incarnation() + "-" + n).getBytes(StandardCharsets.UTF_8));
    }
    context.notify("started incarnation " + context.incarnation());
    if (failFirst && context.incarnation() == 1) {
      context.fail("first incarnation fails after saving", null);
    }
  }

  @Override
  public void stop() {}
}
