package io.shepherd.cli;

import io.shepherd.client.LogSubscription;
import io.shepherd.client.ShepherdClient;
import io.shepherd.client.ShepherdException;
import io.shepherd.protocol.HostRequest;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.LogRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code shepherd logs}: the cluster's log records, from the log server; {@code -f} follows them. */
@Command(name = "logs", mixinStandardHelpOptions = true,
    description = {"Prints the log records of every member, node and process, in time order, from the log server.",
        "With -f, keeps printing new records as they arrive, across a Manager failover, until Ctrl-C; it ends with an error",
        "when no log server has answered for --timeout."})
final class LogsCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  Connection connection;

  @Option(names = {"-f", "--follow"}, description = "Follow: print new records as they arrive.")
  boolean follow;

  @Option(names = "--node", paramLabel = "GLOB", description = "Only records of nodes whose path matches, e.g. daq1/acq/* or **/recorder.")
  String node;

  @Option(names = "--level", paramLabel = "LEVEL", description = "Only records at this level or above: TRACE, DEBUG, INFO, WARN, ERROR.")
  String level;

  @Option(names = "--since", paramLabel = "TIME",
      description = "Only records from this time: an ISO instant (2026-11-22T10:15:00Z) or a time ago (30s, 10m, 2h).")
  String since;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "At most this many records from the tail (default: 1000).")
  int limit;

  @Option(names = "--json", description = "One JSON object per record instead of text lines.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CommandLine commandLine = spec.commandLine();
    LogFilter filter;
    Long sinceMicros;
    try {
      sinceMicros = since == null ? null : LogFilter.sinceMicros(since);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, "--" + e.getMessage());
    }
    try {
      filter = new LogFilter(node, level == null ? null : LogLevel.parse(level), sinceMicros);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
    if (limit < 1 || limit > LogProtocol.QueryTail.MAX_LIMIT) {
      throw new CommandLine.ParameterException(commandLine, "--limit must be between 1 and " + LogProtocol.QueryTail.MAX_LIMIT);
    }
    Duration timeout = Connection.duration(commandLine, "--timeout", connection.timeout);
    PrintStream out = System.out;
    ShepherdClient client = connection.client(commandLine);
    if (!follow) {
      LogProtocol.Tail tail = client.logs().tail(filter, limit).toCompletableFuture().join();
      tail.records().forEach(r -> print(out, r));
      return 0;
    }
    LogFilter from = filter.sinceMicros() != null ? filter
        : new LogFilter(filter.node(), filter.minLevel(), (Instant.now().toEpochMilli() - 10_000) * 1000);
    AtomicReference<ShepherdException> failure = new AtomicReference<>();
    LogSubscription subscription = client.logs().subscribe(from, r -> print(out, r), timeout, failure::set);
    if (subscription.awaitConnected(Duration.ZERO)) {
      System.err.println("logs: following" + (since == null ? " (from 10 s ago)" : "") + "; Ctrl-C stops");
    }
    Runtime.getRuntime().addShutdownHook(new Thread(subscription::close, "logs-stop"));
    subscription.join();
    if (failure.get() != null) {
      throw failure.get();
    }
    return 0;
  }

  private void print(PrintStream out, LogRecord record) {
    out.println(json ? Output.json(record) : record.format());
    out.flush();
  }

  /** {@code shepherd log-level TARGET LEVEL}: a log level at run time (Architect's set_log_level). */
  @Command(name = "log-level", mixinStandardHelpOptions = true,
      description = {"Sets a log level at run time: of a node's records, of a host, or of a logger on every host.",
          "LEVEL is TRACE, DEBUG, INFO, WARN, ERROR or OFF; default undoes it. bin/shepherd status shows the levels set."})
  static final class Level implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    Connection connection;

    @CommandLine.Parameters(index = "0", paramLabel = "TARGET",
        description = "A node path (daq1/acq/sine), a host id (daq1) or logger:NAME (e.g. logger:io.lab.daq, on every host).")
    String target;

    @CommandLine.Parameters(index = "1", paramLabel = "LEVEL", description = "TRACE, DEBUG, INFO, WARN, ERROR, OFF or default.")
    String level;

    @Override
    public Integer call() {
      try {
        HostRequest.checkLevel(level);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      System.out.println(connection.client(spec.commandLine()).logs().setLevel(target, level).toCompletableFuture().join());
      return 0;
    }
  }
}
