package io.shepherd.member;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.shepherd.ShepherdConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code shepherd member}: runs a member until it is stopped. */
@Command(name = "member", mixinStandardHelpOptions = true,
    description = {"Starts a cluster member: a host agent (role host) and/or a Manager candidate (role manager).",
        "With no options: roles manager,host on port 2551, seed 127.0.0.1:2551 - a one-machine cluster."})
final class MemberCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--host-id", paramLabel = "ID", description = "Id of this host in node paths (default: the machine's hostname).")
  String hostId;

  @Option(names = "--port", paramLabel = "P", description = "Cluster port (default: 2551, from application.conf).")
  Integer port;

  @Option(names = "--hostname", paramLabel = "ADDRESS", description = "Address to bind to and be reached at (default: 127.0.0.1).")
  String hostname;

  @Option(names = "--seeds", paramLabel = "H:P,...", description = "Seed nodes (default: 127.0.0.1:2551).")
  String seeds;

  @Option(names = "--roles", paramLabel = "ROLES", description = "manager, host or manager,host (default: manager,host).")
  String roles;

  @Option(names = "--config", paramLabel = "FILE", description = "The site's configuration file (default: application.conf).")
  Path config;

  @Option(names = "--initial-state", paramLabel = "up|down",
      description = "Request this state for every node of this host once it has started (OCS's --initial-state).")
  String initialState;

  @Override
  public Integer call() throws Exception {
    CommandLine commandLine = spec.commandLine();
    Config base = MemberCli.config(commandLine, config);
    MemberOptions options;
    try {
      options = new MemberOptions(hostId, hostname, port, MemberCli.seeds(commandLine, seeds), MemberCli.roles(roles), config,
          initialState);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
    Config memberConfig;
    try {
      // The options first, then the certificates: a bad option is said before a missing file.
      memberConfig = ShepherdConfig.withTransport(ShepherdMember.memberConfig(options, base));
    } catch (IllegalArgumentException | ConfigException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
    ActorSystem<Void> system = ShepherdMember.start(memberConfig);
    ShepherdMember.TerminationWatch termination = ShepherdMember.watchTermination(system);
    String parent = System.getProperty("shepherd.watch-parent-pid");
    if (parent != null) {
      ShepherdMember.exitWithProcess(system, Long.parseLong(parent));
    }
    if (!termination.await()) {
      System.err.println("shepherd: the actor system did not finish terminating after its last shutdown phase; exiting anyway");
    }
    if (ShepherdMember.lostDesiredState(system)) {
      System.err.println("shepherd: this member could not keep the desired state (see its log); exiting with status 1");
      return 1;
    }
    if (ShepherdMember.downed(system)) {
      System.err.println("shepherd: this member was downed by the cluster; exiting with status 1");
      return 1;
    }
    return 0;
  }
}
