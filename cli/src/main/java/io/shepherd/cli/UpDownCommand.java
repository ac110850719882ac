package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code shepherd up|down TARGET...}: requests up or down for nodes, groups, hosts or all, in order. */
abstract class UpDownCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  Connection connection;

  @Parameters(arity = "1..*", paramLabel = "TARGET",
      description = "A node path (daq1/acq/sine), a group path (daq1/acq), a host id (daq1), a node name unique in the cluster "
          + "(sine) or all; applied in order.")
  List<String> targets;

  abstract String send(ShepherdClient client, String[] targets);

  @Override
  public Integer call() {
    if (targets.stream().anyMatch(String::isBlank)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "a target is empty; give a node path, a group path, a host id, a node name or all");
    }
    ShepherdClient client = connection.client(spec.commandLine());
    System.out.println(send(client, targets.toArray(String[]::new)));
    return 0;
  }

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Requests RUNNING for the targets' nodes.")
  static final class Up extends UpDownCommand {
    @Override
    String send(ShepherdClient client, String[] targets) {
      return client.up(targets).toCompletableFuture().join();
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Requests down for the targets' nodes: STOPPED, or INITIALIZED for one never started.")
  static final class Down extends UpDownCommand {
    @Override
    String send(ShepherdClient client, String[] targets) {
      return client.down(targets).toCompletableFuture().join();
    }
  }
}
