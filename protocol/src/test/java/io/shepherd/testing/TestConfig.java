package io.shepherd.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** The configuration every Shepherd unit test starts from: real serialization of every message. */
public final class TestConfig {

  private TestConfig() {}

  /** What a test on loopback gives the members' defaults: TLS off (its default is on). */
  public static Config plain() {
    return ConfigFactory.parseString("shepherd.tls.enabled = off");
  }

  /** Local actor systems that serialize every message, as if it crossed a JVM. */
  public static Config local() {
    return ConfigFactory.parseString("""
        akka.actor.serialize-messages = on
        akka.actor.provider = local
        akka.loglevel = INFO
        akka.loggers = ["akka.event.slf4j.Slf4jLogger"]
        akka.logging-filter = "akka.event.slf4j.Slf4jLoggingFilter"
        shepherd.host.work-root = "target/shepherd-work"
        shepherd.logs.server.dir = "target/shepherd-logs"
        shepherd.tls.enabled = off
        """).withFallback(ConfigFactory.load());
  }
}
