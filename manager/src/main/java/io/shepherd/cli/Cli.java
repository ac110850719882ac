package io.shepherd.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.shepherd.client.ClientSettings;
import io.shepherd.client.Seeds;
import io.shepherd.client.ShepherdClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;

/** What the CLI commands share: the configuration file, seeds, and a connected client. */
final class Cli {

  static final String DEFAULT_SEED = "127.0.0.1:2551";

  private Cli() {}

  /**
   * The site's configuration: {@code --config FILE} if given, else the application.conf of the
   * Shepherd installation ({@code -Dshepherd.home}, set by bin/shepherd), else the defaults.
   */
  static Config config(CommandLine commandLine, Path file) {
    Path chosen = file;
    if (chosen == null && System.getProperty("shepherd.home") != null) {
      Path shipped = Path.of(System.getProperty("shepherd.home"), "application.conf");
      chosen = Files.isRegularFile(shipped) ? shipped : null;
    }
    try {
      return io.shepherd.ShepherdConfig.load(chosen);
    } catch (ConfigException e) {
      throw new CommandLine.ParameterException(commandLine, "bad configuration: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
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

  /** A client connected through {@code --seeds}, the configuration's seed nodes, or 127.0.0.1:2551. */
  static ShepherdClient connect(CommandLine commandLine, Path configFile, String seedOption, Duration timeout) {
    Config config = config(commandLine, configFile);
    List<String> seeds = seeds(commandLine, seedOption);
    ClientSettings settings = ClientSettings.fromConfig(config).withCallTimeout(timeout).withConnectTimeout(timeout);
    if (seeds != null) {
      settings = settings.withSeeds(seeds);
    } else if (settings.seeds().isEmpty() && config.getStringList("akka.cluster.seed-nodes").isEmpty()) {
      settings = settings.withSeeds(DEFAULT_SEED);
    }
    return ShepherdClient.connect(settings);
  }

  /** Parses a timeout such as {@code 10s}, {@code 500ms} or {@code 2m}. */
  static Duration duration(CommandLine commandLine, String text) {
    try {
      return new io.shepherd.node.Params(java.util.Map.of("timeout", text)).getDuration("timeout", Duration.ZERO);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, "--timeout must be a duration like 10s or 500ms, got '" + text + "'");
    }
  }
}
