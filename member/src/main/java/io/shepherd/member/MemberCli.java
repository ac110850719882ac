package io.shepherd.member;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.shepherd.ShepherdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code bin/shepherd member|demo|certs}: the commands that start Akka (a member, the demo's
 * cluster) or make certificates. Every other command is the thin HTTP client in the {@code cli}
 * module; {@code bin/shepherd} picks the one to run by the command's name.
 */
@Command(name = "shepherd", mixinStandardHelpOptions = true, version = "Shepherd 0.1.0",
    description = "Runs a Shepherd cluster member, the demo, or makes the cluster's certificates.",
    subcommands = {MemberCommand.class, DemoCommand.class, CertsCommand.class, ServiceCommands.Install.class,
        ServiceCommands.Uninstall.class, CommandLine.HelpCommand.class})
public final class MemberCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    boolean member = args.length > 0 && args[0].equals("member");
    if (System.getProperty("shepherd.log.level") == null) {
      // Members log; the demo and certs print their progress, and keep Akka's chatter out of it.
      System.setProperty("shepherd.log.level", member ? "INFO" : "ERROR");
      System.setProperty("shepherd.log.target", member ? "System.out" : "System.err");
    }
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "shepherd-logback.xml");
    }
    LoggerFactory.getILoggerFactory(); // before Akka starts logging from several threads
    System.exit(commandLine().execute(args));
  }

  /** The command line, with Shepherd's exit codes: 0 done, 1 failed (message only), 2 bad usage (with usage). */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new MemberCli());
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      Throwable cause = e;
      while ((cause instanceof CompletionException || cause instanceof ExecutionException)
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

  /**
   * The site's configuration: {@code --config FILE} if given, else the application.conf of the
   * Shepherd installation ({@code -Dshepherd.home}, set by bin/shepherd), else the defaults; without
   * the transport ({@link ShepherdConfig#withTransport}), which needs the certificates.
   */
  static Config config(CommandLine commandLine, Path file) {
    try {
      return ShepherdConfig.layered(siteFile(file));
    } catch (ConfigException e) {
      throw new CommandLine.ParameterException(commandLine, "bad configuration: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
  }

  /** {@code --config FILE} if given, else the application.conf of the installation if it has one, else null. */
  static Path siteFile(Path given) {
    if (given != null || System.getProperty("shepherd.home") == null) {
      return given;
    }
    Path shipped = Path.of(System.getProperty("shepherd.home"), "application.conf");
    return Files.isRegularFile(shipped) ? shipped : null;
  }

  /** Roles from {@code --roles} ("manager,host"); null if not given. */
  static Set<String> roles(String roles) {
    return roles == null ? null
        : Arrays.stream(roles.split(",")).map(String::trim).filter(r -> !r.isEmpty()).collect(Collectors.toSet());
  }

  /** Seeds from {@code --seeds}, checked; null if not given. */
  static List<String> seeds(CommandLine commandLine, String seeds) {
    if (seeds == null) {
      return null;
    }
    List<String> list = Seeds.parseList(seeds);
    if (list.isEmpty()) {
      throw new CommandLine.ParameterException(commandLine, "--seeds is empty; give HOST:PORT[,HOST:PORT...]");
    }
    try {
      list.forEach(Seeds::parse);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
    return list;
  }
}
