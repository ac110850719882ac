package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import io.shepherd.protocol.ManagerProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shepherd apply SITE_FILE}: makes the cluster run what a site file declares. */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = {"Applies a site file: adds what is new, restarts what changed, drives down and deletes what it no longer lists.",
        "It leaves the rest alone. The whole file is checked first; on any error nothing changes."})
final class ApplyCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  Connection connection;

  @Parameters(paramLabel = "SITE_FILE", description = "The site file (HOCON).")
  Path file;

  @Option(names = "--dry-run", description = "Check the file and print what applying it would do; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    CommandLine commandLine = spec.commandLine();
    if (Files.isDirectory(file)) {
      throw new CommandLine.ParameterException(commandLine, "site file " + file + " is a directory, not a site file");
    }
    if (!Files.isRegularFile(file)) {
      throw new CommandLine.ParameterException(commandLine, "site file " + file + ": no such file");
    }
    ShepherdClient client = connection.client(commandLine);
    ManagerProtocol.SiteApplied applied = (dryRun ? client.dryRun(file) : client.apply(file)).toCompletableFuture().join();
    String verb = dryRun ? "would be " : "";
    print(verb + "added", applied.added());
    print(verb + "changed", applied.changed());
    print(verb + "removed", applied.removed());
    System.out.println("unchanged: " + applied.unchanged().size() + (dryRun ? "  (dry run: nothing was changed)" : ""));
    return 0;
  }

  private static void print(String what, List<String> paths) {
    System.out.println(what + ": " + paths.size() + (paths.isEmpty() ? "" : "  " + String.join(" ", paths)));
  }
}
