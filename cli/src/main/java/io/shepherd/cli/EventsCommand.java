package io.shepherd.cli;

import io.shepherd.client.EventSubscription;
import io.shepherd.client.ShepherdClient;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.LogFilter;
import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code shepherd events}: what happened in the cluster; {@code -f} follows it live. */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = {"Prints the cluster's events: node states, crashes and their reasons, stalls, notifications, modes, and more.",
        "Also hosts, members, groups and Manager epochs. Without -f, those the API still holds; with -f, every new one,",
        "across a Manager failover (a resync line says events were missed), until Ctrl-C."})
final class EventsCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  Connection connection;

  @Option(names = {"-f", "--follow"}, description = "Follow: print new events as they happen.")
  boolean follow;

  @Option(names = "--types", paramLabel = "TYPE,...", description = "Only these types: manager, node, node-removed, crash, stalled, "
      + "notification, mode, host, member, group, fault.")
  String types;

  @Option(names = "--node", paramLabel = "GLOB", description = "Only events of nodes whose path matches, e.g. daq1/acq/*.")
  String node;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "Without -f: at most this many (default: 1000).")
  int limit;

  @Option(names = "--json", description = "One JSON object per event instead of text lines.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CommandLine commandLine = spec.commandLine();
    Set<String> typeSet;
    try {
      typeSet = Event.parseTypes(types);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
    if (limit < 1 || limit > 10_000) {
      throw new CommandLine.ParameterException(commandLine, "--limit must be between 1 and 10000");
    }
    if (node != null) {
      try {
        new LogFilter(node, null, null);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(commandLine, e.getMessage());
      }
    }
    PrintStream out = System.out;
    ShepherdClient client = connection.client(commandLine);
    if (!follow) {
      Api.RecentEvents recent = client.events().recent(null, 10_000).toCompletableFuture().join();
      Set<String> wanted = typeSet;
      recent.events().stream()
          .filter(e -> wanted == null || wanted.contains(e.type()))
          .filter(e -> node == null || (e.path() != null && LogFilter.glob(node).matcher(e.path()).matches()))
          .skip(Math.max(0, recent.events().size() - limit))
          .forEach(e -> print(out, e));
      return 0;
    }
    CountDownLatch stop = new CountDownLatch(1);
    EventSubscription subscription = client.events().subscribe(typeSet, node, e -> print(out, e));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      subscription.close();
      stop.countDown();
    }, "events-stop"));
    stop.await();
    return 0;
  }

  private void print(PrintStream out, Event event) {
    out.println(json ? Output.json(event) : format(event));
    out.flush();
  }

  /** An event as one line: time, id, type, then what it is about. */
  static String format(Event e) {
    StringBuilder line = new StringBuilder(160);
    line.append(e.at()).append(' ').append(String.format("%-8s", e.id())).append(' ').append(String.format("%-12s", e.type()));
    if (e.path() != null) {
      line.append(' ').append(e.path());
    } else if (e.host() != null) {
      line.append(' ').append(e.host());
    } else if (e.address() != null) {
      line.append(' ').append(e.address());
    }
    if (e.state() != null) {
      line.append(' ').append(e.state());
      if (e.previous() != null) {
        line.append(" (was ").append(e.previous()).append(')');
      }
      if (e.requested() != null && e.requested() != e.state()) {
        line.append(" requested ").append(e.requested());
      }
    }
    if (e.status() != null) {
      line.append(' ').append(e.status());
    }
    if (e.mode() != null && !Event.NODE.equals(e.type())) {
      line.append(' ').append(e.mode());
    }
    if (e.by() != null) {
      line.append(" by ").append(e.by());
    }
    if (e.restarts() != null && Event.CRASH.equals(e.type())) {
      line.append(" restarts ").append(e.restarts());
    }
    if (e.reason() != null) {
      line.append(": ").append(e.reason());
    }
    if (e.message() != null) {
      line.append(e.reason() == null ? ": " : " - ").append(e.message());
    }
    return line.toString();
  }
}
