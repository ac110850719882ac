package io.shepherd;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shepherd's configuration, in layers, each over the next: system properties ({@code -Dkey=value}),
 * the site's file (if any), {@code shepherd-defaults.conf} (the Akka settings Shepherd changes),
 * and every module's {@code reference.conf}.
 */
public final class ShepherdConfig {

  private ShepherdConfig() {}

  /** The configuration without a site file. */
  public static Config load() {
    return load(ConfigFactory.empty());
  }

  /**
   * The configuration with the site's file.
   *
   * @throws IllegalArgumentException if the file does not exist or cannot be read
   * @throws com.typesafe.config.ConfigException with the file and line of a syntax error
   */
  public static Config load(Path siteFile) {
    if (siteFile == null) {
      return load();
    }
    if (!Files.isRegularFile(siteFile) || !Files.isReadable(siteFile)) {
      throw new IllegalArgumentException("configuration file " + siteFile + " does not exist or cannot be read");
    }
    return load(ConfigFactory.parseFile(siteFile.toFile()));
  }

  /** The configuration with {@code site} (e.g. a test's overrides) in place of a site file. */
  public static Config load(Config site) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.systemProperties()
        .withFallback(site)
        .withFallback(ConfigFactory.parseResources(ShepherdConfig.class.getClassLoader(), "shepherd-defaults.conf"))
        .withFallback(ConfigFactory.defaultReference(ShepherdConfig.class.getClassLoader()))
        .resolve();
  }
}
