package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options of every command that talks to a running cluster. */
final class ConnectionOptions {

  @Option(names = "--seeds", paramLabel = "H:P,...", description = "Seed nodes to join through (default: 127.0.0.1:2551).")
  String seeds;

  @Option(names = "--config", paramLabel = "FILE", description = "The site's configuration file (default: application.conf).")
  Path config;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15s", description = "Give up after this long (default: 15s).")
  String timeout;

  ShepherdClient connect(CommandLine commandLine) {
    return Cli.connect(commandLine, config, seeds, Cli.duration(commandLine, timeout));
  }
}
