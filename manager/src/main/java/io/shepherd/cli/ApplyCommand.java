package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import io.shepherd.client.SiteFile;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Site;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code shepherd apply SITE_FILE}: makes the cluster run what a site file declares. */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = {"Applies a site file: adds what is new, restarts what changed, leaves the rest alone, and drives down, then",
        "deletes, what it no longer lists. The whole file is checked first; on any error nothing changes."})
final class ApplyCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  ConnectionOptions connection;

  @Parameters(paramLabel = "SITE_FILE", description = "The site file (HOCON).")
  Path file;

  @Override
  public Integer call() {
    CommandLine commandLine = spec.commandLine();
    Site site;
    try {
      site = SiteFile.read(file, Cli.config(commandLine, connection.config));
    } catch (SiteFile.Invalid e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
    try (ShepherdClient client = connection.connect(commandLine)) {
      ManagerProtocol.SiteApplied applied = client.apply(site).toCompletableFuture().join();
      print("added", applied.added());
      print("changed", applied.changed());
      print("removed", applied.removed());
      System.out.println("unchanged: " + applied.unchanged().size());
      return 0;
    }
  }

  private static void print(String what, List<String> paths) {
    System.out.println(what + ": " + paths.size() + (paths.isEmpty() ? "" : "  " + String.join(" ", paths)));
  }
}
