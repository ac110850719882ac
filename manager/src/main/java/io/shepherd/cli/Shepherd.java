package io.shepherd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/shepherd}: the one launcher of members, the demo and the CLI commands. */
@Command(name = "shepherd", mixinStandardHelpOptions = true, version = "Shepherd 0.1.0",
    description = "Runs and watches the nodes of a distributed data-acquisition or control system.",
    subcommands = {MemberCommand.class, StatusCommand.class, ApplyCommand.class, UpDownCommand.Up.class, UpDownCommand.Down.class, LogsCommand.class, CertsCommand.class,
        DemoCommand.class, CommandLine.HelpCommand.class})
public final class Shepherd implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    boolean member = args.length > 0 && args[0].equals("member");
    if (System.getProperty("shepherd.log.level") == null) {
      // Members log; CLI commands print their answer and errors, and keep Akka's chatter out of it.
      System.setProperty("shepherd.log.level", member ? "INFO" : "ERROR");
      System.setProperty("shepherd.log.target", member ? "System.out" : "System.err");
    }
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "shepherd-logback.xml");
    }
    org.slf4j.LoggerFactory.getILoggerFactory(); // before Akka starts logging from several threads
    System.exit(commandLine().execute(args));
  }

  /** The command line, with Shepherd's exit codes: 0 done, 1 failed, 2 bad usage. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Shepherd());
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      Throwable cause = e;
      while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof java.util.concurrent.ExecutionException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      cmd.getErr().println("error: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
      return 1;
    });
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
