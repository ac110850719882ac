package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** Commands on nodes: kill, purge, input (the Architect node), mode (Guardian) and register-type (pyacq). */
final class NodeCommands {

  private NodeCommands() {}

  @Command(name = "kill", mixinStandardHelpOptions = true,
      description = "SIGKILL to the whole session of process nodes at once; they end STOPPED (not a crash).")
  static final class Kill implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    Connection connection;

    @Parameters(arity = "1..*", paramLabel = "NODE", description = "Node paths, e.g. daq1/drivers/laser.")
    List<String> nodes;

    @Override
    public Integer call() {
      Connection.nodePaths(spec.commandLine(), nodes);
      ShepherdClient client = connection.client(spec.commandLine());
      List<CompletableFuture<NodeStatus>> kills = new ArrayList<>();
      nodes.forEach(n -> kills.add(client.kill(n).toCompletableFuture()));
      for (int i = 0; i < nodes.size(); i++) {
        NodeStatus status = kills.get(i).join();
        System.out.println("killed " + nodes.get(i) + ": " + status.state() + (status.exit() == null ? "" : " (" + status.exit() + ")"));
      }
      return 0;
    }
  }

  @Command(name = "purge", mixinStandardHelpOptions = true, description = "Removes nodes that do not run; a running one is refused.")
  static final class Purge implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    Connection connection;

    @Parameters(arity = "1..*", paramLabel = "NODE", description = "Node paths.")
    List<String> nodes;

    @Override
    public Integer call() {
      Connection.nodePaths(spec.commandLine(), nodes);
      ShepherdClient client = connection.client(spec.commandLine());
      for (String node : nodes) {
        client.purge(node).toCompletableFuture().join();
        System.out.println("purged " + node);
      }
      return 0;
    }
  }

  @Command(name = "input", mixinStandardHelpOptions = true, description = "Writes a line to the stdin of a process node (created with stdin on).")
  static final class Input implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    Connection connection;

    @Parameters(index = "0", paramLabel = "NODE", description = "The node's path.")
    String node;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "WORD", description = "The line: the words, joined by spaces.")
    List<String> words;

    @Override
    public Integer call() {
      Connection.nodePaths(spec.commandLine(), List.of(node));
      connection.client(spec.commandLine()).sendInput(node, String.join(" ", words)).toCompletableFuture().join();
      System.out.println("sent a line to " + node);
      return 0;
    }
  }

  @Command(name = "register-type", mixinStandardHelpOptions = true,
      description = {"Registers a node type in a NodeGroup at run time (pyacq): NAME then stands for CLASS in the nodes created there.",
          "The group's host checks the class first (it loads, its package is allowed there, it is a Node); else nothing is registered."})
  static final class RegisterType implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    Connection connection;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group's path, e.g. daq1/acq.")
    String group;

    @Parameters(index = "1", paramLabel = "NAME", description = "The type's name in the group, e.g. MySine.")
    String name;

    @Parameters(index = "2", paramLabel = "CLASS", description = "The node's class, e.g. org.lab.daq.MySine.")
    String className;

    @Override
    public Integer call() {
      try {
        GroupPath.parse(group);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      System.out.println(connection.client(spec.commandLine()).registerNodeType(group, name, className).toCompletableFuture().join());
      return 0;
    }
  }

  @Command(name = "mode", mixinStandardHelpOptions = true,
      description = {"Sets the mode of nodes (Guardian): auto nodes restart after a crash, managed ones hold (stalled).",
          "A managed node holds where it crashed until a new request or a revive. All or none: an unknown node changes nothing."})
  static final class SetMode implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    Connection connection;

    @Parameters(index = "0", paramLabel = "auto|managed", description = "The mode.")
    String mode;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "NODE", description = "Node paths.")
    List<String> nodes;

    @Option(names = "--as", paramLabel = "NAME", defaultValue = "operator",
        description = "The manager recorded for managed nodes (default: operator); they stay managed until set auto.")
    String manager;

    @Override
    public Integer call() {
      Mode chosen = switch (mode.toLowerCase(Locale.ROOT)) {
        case "auto" -> Mode.AUTO;
        case "managed" -> Mode.MANAGED;
        default -> throw new CommandLine.ParameterException(spec.commandLine(), "mode must be auto or managed, got '" + mode + "'");
      };
      Connection.nodePaths(spec.commandLine(), nodes);
      System.out.println(connection.client(spec.commandLine()).setMode(nodes, chosen, manager).toCompletableFuture().join());
      return 0;
    }
  }
}
