package io.shepherd.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network partition between loopback addresses, made with iptables DROP rules on the INPUT
 * chain (loopback traffic passes it), for members started on their own 127.x.y.z address. It
 * needs root and iptables; {@link #available()} says whether this machine has both. Closing it
 * heals the partition; rules are tagged so that a crashed test's rules can be found.
 */
public final class Partition implements AutoCloseable {

  private static final String TAG = "shepherd-it-partition";

  private final List<List<String>> rules = new ArrayList<>();

  private Partition() {}

  /** True if iptables can add and remove rules here. */
  public static boolean available() {
    try {
      return run(List.of("iptables", "-w", "-L", "INPUT", "-n")) == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Drops every packet between {@code isolated} and each of {@code others}, both ways. */
  public static Partition isolate(String isolated, List<String> others) throws IOException {
    Partition partition = new Partition();
    try {
      for (String other : others) {
        partition.drop(isolated, other);
        partition.drop(other, isolated);
      }
      return partition;
    } catch (IOException | RuntimeException e) {
      partition.close();
      throw e;
    }
  }

  private void drop(String from, String to) throws IOException {
    List<String> rule = List.of("INPUT", "-s", from, "-d", to, "-m", "comment", "--comment", TAG, "-j", "DROP");
    List<String> insert = new ArrayList<>(List.of("iptables", "-w", "-I"));
    insert.addAll(rule);
    if (run(insert) != 0) {
      throw new IOException("iptables could not add " + rule);
    }
    rules.add(rule);
  }

  /** Heals the partition: removes every rule it added. */
  @Override
  public void close() {
    for (List<String> rule : rules) {
      List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-D"));
      delete.addAll(rule);
      try {
        run(delete);
      } catch (IOException e) {
        // nothing more to do; the tag finds the rule
      }
    }
    rules.clear();
  }

  private static int run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return -1;
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return -1;
    }
  }
}
