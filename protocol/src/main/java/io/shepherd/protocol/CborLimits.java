package io.shepherd.protocol;

import akka.actor.BootstrapSetup;
import akka.actor.setup.ActorSystemSetup;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.serialization.jackson.JacksonObjectMapperFactory;
import akka.serialization.jackson.JacksonObjectMapperProviderSetup;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;

/**
 * Limits on what Jackson reads from the wire, for every Shepherd actor system: a message nested
 * deeper, or with a longer string or number, than any Shepherd message has is refused before it
 * can cost memory or stack. (Polymorphic types cross the wire by name only: no
 * {@code @JsonTypeInfo(use = CLASS)} anywhere, and Java serialization is off.)
 */
public final class CborLimits extends JacksonObjectMapperFactory {

  /** Deepest nesting of objects and arrays accepted; Shepherd's messages nest fewer than 10 deep. */
  public static final int MAX_NESTING = ApiJson.MAX_NESTING;
  /** Longest string accepted, in characters: far above any field Shepherd sends (a frame is 1 MiB). */
  public static final int MAX_STRING = ApiJson.MAX_STRING;
  /** Longest number accepted, in digits. */
  public static final int MAX_NUMBER = ApiJson.MAX_NUMBER;

  /** The setup of an actor system whose Jackson serializers read within these limits. */
  public static ActorSystemSetup setup(Config config) {
    return ActorSystemSetup.create(BootstrapSetup.create(config), JacksonObjectMapperProviderSetup.create(new CborLimits()));
  }

  /** An actor system with these limits. */
  public static <T> ActorSystem<T> actorSystem(Behavior<T> guardian, String name, Config config) {
    return ActorSystem.create(guardian, name, setup(config));
  }

  @Override
  public ObjectMapper newObjectMapper(String bindingName, JsonFactory jsonFactory) {
    jsonFactory.setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(MAX_NESTING)
        .maxStringLength(MAX_STRING)
        .maxNumberLength(MAX_NUMBER)
        .build());
    return super.newObjectMapper(bindingName, jsonFactory);
  }
}
