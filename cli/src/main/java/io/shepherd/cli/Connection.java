package io.shepherd.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.shepherd.client.ClientSettings;
import io.shepherd.client.ShepherdClient;
import io.shepherd.protocol.Durations;
import io.shepherd.protocol.NodePath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options of every command that talks to a cluster's API, and the client they make. */
final class Connection {

  @Option(names = "--api", paramLabel = "URL[,URL...]", split = ",",
      description = "The API of the manager members, tried in turn, e.g. https://10.0.0.11:8551 (default: every seed node of the "
          + "configuration on shepherd.api.port).")
  List<String> api;

  @Option(names = "--config", paramLabel = "FILE", description = "The site's configuration file (default: application.conf).")
  Path config;

  @Option(names = "--tls-dir", paramLabel = "DIR", description = "This machine's certificates (default: shepherd.tls.dir, ~/.shepherd/tls).")
  Path tlsDir;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "A bearer token instead of this machine's certificate (also: the environment variable SHEPHERD_TOKEN).")
  Path tokenFile;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15s", description = "Give up after this long (default: 15s).")
  String timeout;

  /** The client these options describe; it makes no call yet. */
  ShepherdClient client(CommandLine commandLine) {
    try {
      return ShepherdClient.open(settings());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
  }

  /**
   * The settings these options describe.
   *
   * @throws IllegalArgumentException saying which option or file is wrong
   */
  ClientSettings settings() {
    Duration limit = duration("--timeout", timeout);
    try {
      ClientSettings settings = ClientSettings.fromConfig(config()).withCallTimeout(limit).withConnectTimeout(limit);
      if (api != null) {
        if (api.isEmpty() || api.stream().anyMatch(String::isBlank)) {
          throw new IllegalArgumentException("--api is empty; give URL[,URL...], e.g. https://10.0.0.11:8551");
        }
        settings = settings.withApi(api.toArray(String[]::new));
      }
      if (tlsDir != null) {
        settings = settings.withTlsDir(tlsDir);
      }
      String envToken = System.getenv("SHEPHERD_TOKEN");
      if (tokenFile != null) {
        settings = settings.withToken(ClientSettings.readToken(tokenFile));
      } else if (envToken != null && !envToken.isBlank()) {
        settings = settings.withToken(envToken.strip());
      }
      return settings;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("bad configuration: " + e.getMessage());
    }
  }

  /**
   * The site's configuration: {@code --config FILE} if given, else the application.conf of the
   * Shepherd installation ({@code -Dshepherd.home}, set by bin/shepherd), over the defaults.
   */
  Config config() {
    Path chosen = config;
    if (chosen == null && System.getProperty("shepherd.home") != null) {
      Path shipped = Path.of(System.getProperty("shepherd.home"), "application.conf");
      chosen = Files.isRegularFile(shipped) ? shipped : null;
    }
    if (chosen != null && (!Files.isRegularFile(chosen) || !Files.isReadable(chosen))) {
      throw new IllegalArgumentException("configuration file " + chosen + " does not exist or cannot be read");
    }
    Config site = chosen == null ? ConfigFactory.empty() : ConfigFactory.parseFile(chosen.toFile());
    return ConfigFactory.systemProperties().withFallback(site).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  /** Parses a duration such as {@code 10s}, {@code 500ms} or {@code 2m}. */
  static Duration duration(CommandLine commandLine, String option, String text) {
    try {
      return duration(option, text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
  }

  static Duration duration(String option, String text) {
    Duration value = Durations.parse(text).orElse(Duration.ZERO);
    if (value.isZero()) {
      throw new IllegalArgumentException(option + " must be a positive duration like 10s, 500ms or 2m, got '" + text + "'");
    }
    return value;
  }

  /** Node paths, checked. */
  static List<String> nodePaths(CommandLine commandLine, List<String> paths) {
    for (String path : paths) {
      try {
        NodePath.parse(path);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(commandLine, e.getMessage());
      }
    }
    return paths;
  }

  static List<String> list(String... values) {
    return Arrays.asList(values);
  }
}
