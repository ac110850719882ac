package io.shepherd.member;

import com.typesafe.config.Config;
import io.shepherd.protocol.Names;
import java.util.Arrays;
import java.util.List;

/** Seed node addresses: {@code host:port} as users write them, Akka addresses as Akka wants them. */
public final class Seeds {

  /** The name of every Shepherd actor system: members of one cluster share it. */
  public static final String SYSTEM_NAME = "shepherd";

  private Seeds() {}

  /**
   * Checks {@code host:port}.
   *
   * @return the Akka address of the seed
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static String parse(String seed) {
    if (seed == null || seed.isBlank()) {
      throw new IllegalArgumentException("empty seed address; write seeds as HOST:PORT, e.g. 127.0.0.1:2551");
    }
    int colon = seed.lastIndexOf(':');
    if (colon <= 0 || colon == seed.length() - 1) {
      throw new IllegalArgumentException("seed '" + Names.abbreviate(seed)
          + "' is not HOST:PORT, e.g. 127.0.0.1:2551");
    }
    String host = seed.substring(0, colon).trim();
    String port = seed.substring(colon + 1).trim();
    if (!host.matches("[A-Za-z0-9._\\-\\[\\]:]+")) {
      throw new IllegalArgumentException("seed '" + Names.abbreviate(seed) + "' has an invalid host name");
    }
    int number;
    try {
      number = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("seed '" + Names.abbreviate(seed) + "' has no valid port number");
    }
    if (number < 1 || number > 65535) {
      throw new IllegalArgumentException("seed '" + seed + "' has port " + number + "; ports are 1 to 65535");
    }
    return address(host, number);
  }

  /** The Akka address of the member at {@code host} and {@code port}. */
  static String address(String host, int port) {
    return "akka://" + SYSTEM_NAME + "@" + host + ":" + port;
  }

  /**
   * The first seed of several waits {@code shepherd.member.first-seed-timeout} for the others
   * before it starts a new cluster on its own (Akka's {@code seed-node-timeout}, 5 s, is also how
   * often every other member retries its join, so it stays as it is for them). Restarted while the
   * others are busy, the first seed had taken their late answers for silence and started a second
   * cluster with a second Manager (seen in {@code bench scale}: they answered 0.2 s too late).
   * Other seeds that are up but not in a cluster answer at once, so a whole cluster starting
   * together forms as soon as they do; only a first seed whose fellow seeds stay silent waits the
   * whole time.
   */
  static Config firstSeedPatience(Config config) {
    List<String> seeds = config.getStringList("akka.cluster.seed-nodes");
    String self = address(config.getString("akka.remote.artery.canonical.hostname"), config.getInt("akka.remote.artery.canonical.port"));
    if (seeds.size() < 2 || !seeds.get(0).equals(self)) {
      return config;
    }
    return config.withValue("akka.cluster.seed-node-timeout", config.getValue("shepherd.member.first-seed-timeout"));
  }

  /** Parses a comma-separated list of seeds. */
  public static List<String> parseList(String seeds) {
    return Arrays.stream(seeds.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
