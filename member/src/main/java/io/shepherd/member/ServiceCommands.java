package io.shepherd.member;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.protocol.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code shepherd install-service} and {@code uninstall-service}: a member as a systemd service on this machine. */
final class ServiceCommands {

  /** Where systemd is found running (sd_booted(3)); a test points it elsewhere (shepherd.service.systemd-dir). */
  static Path systemdRunning() {
    return Path.of(System.getProperty("shepherd.service.systemd-dir", "/run/systemd/system"));
  }

  /** Where units are installed; a test points it elsewhere (shepherd.service.unit-dir). */
  static Path unitDir() {
    return Path.of(System.getProperty("shepherd.service.unit-dir", "/etc/systemd/system"));
  }

  private ServiceCommands() {}

  @Command(name = "install-service", mixinStandardHelpOptions = true,
      description = {"Installs a systemd service that runs a member of this installation on this machine, restarted always.",
          "Writes /etc/systemd/system/" + ServiceUnit.NAME + " (or prints it with --dry-run); then: "
              + "systemctl enable --now shepherd-member."})
  static final class Install implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host-id", paramLabel = "ID", description = "Id of this host in node paths (required with role host).")
    String hostId;

    @Option(names = "--seeds", paramLabel = "H:P,...", required = true, description = "Seed nodes, the same on every machine.")
    String seeds;

    @Option(names = "--roles", paramLabel = "ROLES", description = "manager, host or manager,host (default: manager,host).")
    String roles;

    @Option(names = "--hostname", paramLabel = "ADDRESS", description = "Address to bind to and be reached at.")
    String hostname;

    @Option(names = "--port", paramLabel = "P", description = "Cluster port (default: 2551).")
    Integer port;

    @Option(names = "--config", paramLabel = "FILE", description = "The site's configuration file (default: application.conf).")
    Path config;

    @Option(names = "--user", paramLabel = "USER", description = "The user the member runs as (default: who runs this, or SUDO_USER).")
    String user;

    @Option(names = "--dry-run", description = "Print the unit; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      CommandLine commandLine = spec.commandLine();
      ServiceUnit unit = unit(commandLine);
      if (dryRun) {
        commandLine.getOut().print(unit.render());
        commandLine.getOut().flush();
        return 0;
      }
      requireSystemd(commandLine);
      Path file = unitDir().resolve(ServiceUnit.NAME);
      try {
        Files.writeString(file, unit.render());
      } catch (IOException e) {
        throw new IllegalStateException("cannot write " + file + " (" + e.getMessage() + "); run it as root (sudo)", e);
      }
      systemctl(commandLine, "daemon-reload");
      commandLine.getOut().println("wrote " + file + "; start it now and at every boot with: systemctl enable --now shepherd-member");
      return 0;
    }

    ServiceUnit unit(CommandLine commandLine) {
      Path home = Path.of(System.getProperty("shepherd.home", ".")).toAbsolutePath().normalize();
      if (!Files.isDirectory(home.resolve("member").resolve("target").resolve("lib"))) {
        throw new CommandLine.ParameterException(commandLine, "Shepherd is not built in " + home + ": build it first "
            + "(bin/shepherd --version builds it), so that the service never builds when it starts");
      }
      List<String> args = new ArrayList<>();
      MemberOptions options;
      try {
        options = new MemberOptions(hostId, hostname, port, MemberCli.seeds(commandLine, seeds), MemberCli.roles(roles), config);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(commandLine, e.getMessage());
      }
      if ((options.roles() == null || options.roles().contains("host")) && hostId == null) {
        throw new CommandLine.ParameterException(commandLine, "give --host-id: the id of this machine in node paths");
      }
      add(args, "--host-id", hostId);
      add(args, "--hostname", hostname);
      add(args, "--port", port == null ? null : port.toString());
      add(args, "--seeds", String.join(",", options.seeds()));
      add(args, "--roles", options.roles() == null ? null : String.join(",", new TreeSet<>(options.roles())));
      add(args, "--config", config == null ? null : config.toAbsolutePath().normalize().toString());
      String runAs = user != null ? user : System.getenv().getOrDefault("SUDO_USER", System.getProperty("user.name"));
      Path userHome = homeOf(commandLine, runAs);
      Config settings = siteSettings(commandLine);
      Duration stopGrace = settings.getDuration("akka.coordinated-shutdown.phases.before-service-unbind.timeout");
      Path tls = userHome.resolve(".shepherd").resolve("tls");
      if (settings.getBoolean("shepherd.tls.enabled") && !Files.isReadable(tls.resolve(TlsFiles.KEY_STORE))) {
        commandLine.getErr().println("warning: " + tls + " has no certificates yet: make them with bin/shepherd certs and copy this "
            + "machine's folder there before the service starts");
      }
      try {
        return new ServiceUnit(home, args, runAs, userHome, stopGrace);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(commandLine, e.getMessage());
      }
    }

    /** The site's settings as the service will read them (TLS is the service user's business, checked above). */
    private Config siteSettings(CommandLine commandLine) {
      Path file = MemberCli.siteFile(config);
      if (file != null && !Files.isRegularFile(file)) {
        throw new CommandLine.ParameterException(commandLine, "configuration file " + file + " does not exist");
      }
      try {
        return ShepherdConfig.layered(file == null ? ConfigFactory.empty() : ConfigFactory.parseFile(file.toFile()));
      } catch (ConfigException e) {
        throw new CommandLine.ParameterException(commandLine, "bad configuration: " + e.getMessage());
      }
    }

    private static void add(List<String> args, String option, String value) {
      if (value != null) {
        args.add(option + "=" + value);
      }
    }
  }

  @Command(name = "uninstall-service", mixinStandardHelpOptions = true,
      description = "Stops and disables the member's systemd service on this machine, and removes its unit.")
  static final class Uninstall implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dry-run", description = "Say what it would do; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      CommandLine commandLine = spec.commandLine();
      Path file = unitDir().resolve(ServiceUnit.NAME);
      if (!Files.exists(file)) {
        commandLine.getOut().println("no " + file + ": nothing to remove");
        return 0;
      }
      if (dryRun) {
        commandLine.getOut().println("would run systemctl disable --now shepherd-member, remove " + file + ", and reload systemd");
        return 0;
      }
      requireSystemd(commandLine);
      systemctl(commandLine, "disable", "--now", "shepherd-member");
      try {
        Files.delete(file);
      } catch (IOException e) {
        throw new IllegalStateException("cannot remove " + file + " (" + e.getMessage() + "); run it as root (sudo)", e);
      }
      systemctl(commandLine, "daemon-reload");
      commandLine.getOut().println("removed " + file);
      return 0;
    }
  }

  static void requireSystemd(CommandLine commandLine) {
    if (!Files.isDirectory(systemdRunning())) {
      throw new IllegalStateException("systemd is not running on this machine (no " + systemdRunning() + "); nothing was changed. "
          + "Run the member under the service manager this machine has (bin/shepherd member ... restarted always), or use "
          + "--dry-run to print the unit");
    }
  }

  /** Runs systemctl; a failure is said, not fatal (the unit file is what matters). */
  static void systemctl(CommandLine commandLine, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(System.getProperty("shepherd.service.systemctl", "systemctl")));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).inheritIO().start();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      commandLine.getErr().println("warning: " + String.join(" ", command) + " failed; run it yourself");
    }
  }

  static Path homeOf(CommandLine commandLine, String user) {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
        String[] fields = line.split(":");
        if (fields.length >= 6 && fields[0].equals(user)) {
          return Path.of(fields[5]);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /etc/passwd to find the home of " + user + ": " + e.getMessage(), e);
    }
    throw new CommandLine.ParameterException(commandLine, "no user '" + user + "' on this machine; give --user USER");
  }
}
