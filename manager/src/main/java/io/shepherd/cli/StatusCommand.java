package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import io.shepherd.protocol.ClusterStatus;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shepherd status}: members, hosts, groups and nodes. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Prints the members, hosts, groups and nodes of a cluster.")
final class StatusCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object instead of tables.")
  boolean json;

  @Option(names = "--seeds", paramLabel = "H:P,...", description = "Seed nodes to join through (default: 127.0.0.1:2551).")
  String seeds;

  @Option(names = "--config", paramLabel = "FILE", description = "The site's configuration file (default: application.conf).")
  Path config;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15s", description = "Give up after this long (default: 15s).")
  String timeout;

  @Override
  public Integer call() {
    CommandLine commandLine = spec.commandLine();
    try (ShepherdClient client = Cli.connect(commandLine, config, seeds, Cli.duration(commandLine, timeout))) {
      ClusterStatus status = client.status().toCompletableFuture().join();
      System.out.println(json ? Json.write(status) : StatusTable.render(status));
      return 0;
    }
  }
}
