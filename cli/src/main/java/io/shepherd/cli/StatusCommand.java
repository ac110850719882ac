package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import io.shepherd.client.StatusTable;
import io.shepherd.protocol.ClusterStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shepherd status}: members, hosts, groups and nodes. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Prints the members, hosts, groups and nodes of a cluster.")
final class StatusCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  Connection connection;

  @Option(names = "--json", description = "Print one JSON object (what GET /api/v1/status answers) instead of tables.")
  boolean json;

  @Override
  public Integer call() {
    ShepherdClient client = connection.client(spec.commandLine());
    ClusterStatus status = client.status().toCompletableFuture().join();
    System.out.println(json ? Output.json(status) : StatusTable.render(status));
    return 0;
  }
}
