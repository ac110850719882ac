package io.shepherd.testing;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;

/** Sends a value through Akka's serialization the way Artery does, and back. */
public final class RoundTrip {

  private RoundTrip() {}

  /** The serializer Akka picks for {@code value}. */
  public static Serializer serializerFor(ActorSystem<?> system, Object value) {
    return SerializationExtension.get(Adapter.toClassic(system)).findSerializerFor(value);
  }

  /** {@code value} serialized and deserialized again. */
  public static Object roundTrip(ActorSystem<?> system, Object value) {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
    byte[] bytes = serialization.serialize(value).get();
    Serializer serializer = serialization.findSerializerFor(value);
    String manifest = Serializers.manifestFor(serializer, value);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }
}
