package io.shepherd.cli;

import io.shepherd.client.ShepherdException;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code bin/shepherd}'s operator commands: thin clients of the HTTP API that start in
 * milliseconds and never load Akka. ({@code member}, {@code demo}, {@code certs} and {@code bench}
 * start Akka; {@code bin/shepherd} runs them from the member's and the benchmarks' class paths.)
 */
@Command(name = "shepherd", mixinStandardHelpOptions = true, version = "Shepherd 0.1.0",
    description = "Runs and watches the nodes of a distributed data-acquisition or control system.",
    subcommands = {StatusCommand.class, ApplyCommand.class, UpDownCommand.Up.class, UpDownCommand.Down.class, RestartCommand.class,
        LogsCommand.class, LogsCommand.Level.class, EventsCommand.class, NodeCommands.Kill.class, NodeCommands.Purge.class,
        NodeCommands.Input.class, NodeCommands.SetMode.class, NodeCommands.RegisterType.class, CommandLine.HelpCommand.class,
        AutoComplete.GenerateCompletion.class},
    footerHeading = "%nMembers and tools (they start Akka; bin/shepherd COMMAND --help):%n",
    footer = {
        "  member   Starts a member: a host agent and/or a Manager candidate.",
        "  demo     3 members on this machine with demo nodes; Ctrl-C stops it all.",
        "  certs    Makes the cluster's TLS certificates and API tokens.",
        "  install-service    Runs a member on this machine as a systemd service.",
        "  uninstall-service  Stops the member's systemd service and removes it.",
        "  bench    Runs a benchmark (bin/shepherd bench --list).",
        "",
        "Exit status: 0 done, 1 failed (the message says why), 2 bad command line.",
        "Shell completion: source <(bin/shepherd generate-completion)"})
public final class Shepherd implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** A new command object by name, or null: a call builds only the one it runs (picocli reads annotations by reflection, and that takes time). */
  static Object command(String name) {
    return switch (name) {
      case "status" -> new StatusCommand();
      case "apply" -> new ApplyCommand();
      case "up" -> new UpDownCommand.Up();
      case "down" -> new UpDownCommand.Down();
      case "restart" -> new RestartCommand();
      case "logs" -> new LogsCommand();
      case "log-level" -> new LogsCommand.Level();
      case "events" -> new EventsCommand();
      case "kill" -> new NodeCommands.Kill();
      case "purge" -> new NodeCommands.Purge();
      case "input" -> new NodeCommands.Input();
      case "mode" -> new NodeCommands.SetMode();
      case "register-type" -> new NodeCommands.RegisterType();
      default -> null;
    };
  }

  public static void main(String[] args) {
    // A call that changes something is never sent twice on its own (the JDK resends a POST once on a
    // connection that dropped, by default): the user sees the error and decides.
    System.setProperty("sun.net.http.retryPost", "false");
    if (args.length == 1 && args[0].equals("--train-class-archive")) {
      FastStatus.train();
      System.exit(0);
    }
    if (args.length > 0 && args[0].equals("status")) {
      Integer fast = FastStatus.run(args);
      if (fast != null) {
        System.exit(fast);
      }
    }
    Object command = args.length > 0 ? command(args[0]) : null;
    if (command == null) {
      System.exit(commandLine().execute(args));
    }
    CommandLine one = handled(new CommandLine(command));
    one.setCommandName("shepherd " + args[0]);
    System.exit(one.execute(Arrays.copyOfRange(args, 1, args.length)));
  }

  /** The whole command line, with Shepherd's exit codes: 0 done, 1 failed (message only), 2 bad usage (with usage). */
  public static CommandLine commandLine() {
    CommandLine commandLine = handled(new CommandLine(new Shepherd()));
    commandLine.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    return commandLine;
  }

  /** A command line that prints a failure's message (exit 1), not its stack trace. */
  static CommandLine handled(CommandLine commandLine) {
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      Throwable cause = e;
      while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
        cause = cause.getCause();
      }
      cmd.getErr().println("error: " + (cause instanceof ShepherdException || cause.getMessage() != null ? cause.getMessage()
          : cause.toString()));
      return 1;
    });
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
