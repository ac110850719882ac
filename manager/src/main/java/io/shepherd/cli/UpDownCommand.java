package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeState;
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
  ConnectionOptions connection;

  @Parameters(arity = "1..*", paramLabel = "TARGET",
      description = "A node path (daq1/acq/sine), a group path (daq1/acq), a host id (daq1) or all; applied in order.")
  List<String> targets;

  abstract NodeState state();

  @Override
  public Integer call() {
    List<ManagerProtocol.TargetState> requests;
    try {
      requests = targets.stream().map(t -> new ManagerProtocol.TargetState(t, state())).toList();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (ShepherdClient client = connection.connect(spec.commandLine())) {
      System.out.println(client.update(requests).toCompletableFuture().join());
      return 0;
    }
  }

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Requests RUNNING for the targets' nodes.")
  static final class Up extends UpDownCommand {
    @Override
    NodeState state() {
      return NodeState.RUNNING;
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Requests down for the targets' nodes: STOPPED, or INITIALIZED for one never started.")
  static final class Down extends UpDownCommand {
    @Override
    NodeState state() {
      return NodeState.STOPPED;
    }
  }
}
