package io.shepherd.api.internal;

import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shepherd.protocol.ApiJson;
import java.nio.charset.StandardCharsets;

/** Server-Sent Events as bytes on the wire. */
public final class Sse {

  /** A comment line: keeps an idle stream alive through proxies and idle timeouts. */
  public static final ByteString HEARTBEAT = ByteString.fromString(":\n\n");

  private static final ObjectMapper JSON = ApiJson.mapper();

  private Sse() {}

  /** One event: its id (or null), its type, and {@code data} as JSON. */
  public static ByteString event(String id, String type, Object data) {
    String json;
    try {
      json = JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + data.getClass().getSimpleName() + " as JSON", e);
    }
    StringBuilder out = new StringBuilder(json.length() + 64);
    if (id != null) {
      out.append("id: ").append(id).append('\n');
    }
    out.append("event: ").append(type).append('\n');
    out.append("data: ").append(json).append("\n\n");
    return ByteString.fromString(out.toString(), StandardCharsets.UTF_8);
  }
}
