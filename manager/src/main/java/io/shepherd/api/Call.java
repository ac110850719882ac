package io.shepherd.api;

import akka.http.javadsl.model.HttpRequest;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One request to a route: its path parameters, query, body (read in full, within the size limit)
 * and who made it. The readers throw {@link ApiException} (400) with a message that says what is
 * wrong with the request.
 */
public record Call(HttpRequest request, Map<String, String> params, ByteString body, Auth.Principal principal) {

  public String param(String name) {
    return params.get(name);
  }

  /** A query parameter, if given. */
  public Optional<String> query(String name) {
    return request.getUri().query().get(name);
  }

  /** A header, if given. */
  public Optional<String> header(String name) {
    return request.getHeader(name).map(h -> h.value());
  }

  /** The body as a JSON value of {@code type}. */
  public <T> T body(Class<T> type) {
    if (body.isEmpty()) {
      throw ApiException.badRequest("this call needs a JSON body (" + type.getSimpleName() + "); see /api/v1/openapi.json");
    }
    try {
      T value = Responses.JSON.readValue(body.toArray(), type);
      if (value == null) {
        throw ApiException.badRequest("the body is null; this call needs a JSON object (" + type.getSimpleName() + ")");
      }
      return value;
    } catch (IOException e) {
      throw ApiException.badRequest(describe(e, type));
    }
  }

  /** The body as UTF-8 text. */
  public String text() {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body.toArray())).toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest("the body is not UTF-8 text");
    }
  }

  /** What is wrong with a JSON body, in a sentence that names the field. */
  static String describe(IOException e, Class<?> type) {
    String what = type.getSimpleName();
    if (e instanceof UnrecognizedPropertyException unknown) {
      return "unknown field '" + unknown.getPropertyName() + "' in " + what + "; its fields are " + unknown.getKnownPropertyIds().stream()
          .map(Object::toString).sorted().collect(Collectors.joining(", "));
    }
    if (e instanceof ValueInstantiationException invalid && invalid.getCause() != null) {
      return "bad " + what + ": " + invalid.getCause().getMessage();
    }
    if (e instanceof JsonMappingException mapping && mapping.getCause() instanceof IllegalArgumentException illegal) {
      return "bad " + what + field(mapping) + ": " + illegal.getMessage();
    }
    if (e instanceof InvalidFormatException format) {
      return "bad " + what + field(format) + ": '" + format.getValue() + "' is not a valid " + format.getTargetType().getSimpleName()
          + (format.getTargetType().isEnum() ? " (one of " + Arrays.toString(format.getTargetType().getEnumConstants()) + ")" : "");
    }
    if (e instanceof MismatchedInputException mismatch) {
      return "bad " + what + field(mismatch) + ": expected " + (mismatch.getTargetType() == null ? "another type"
          : mismatch.getTargetType().getSimpleName()) + " here";
    }
    if (e instanceof StreamConstraintsException limit) {
      return "the JSON body is beyond the limits read: " + limit.getOriginalMessage();
    }
    if (e instanceof JsonParseException parse) {
      return "malformed JSON at line " + parse.getLocation().getLineNr() + ", column " + parse.getLocation().getColumnNr() + ": "
          + parse.getOriginalMessage();
    }
    if (e instanceof JsonProcessingException json) {
      return "bad " + what + ": " + json.getOriginalMessage();
    }
    return "cannot read the body: " + e.getMessage();
  }

  private static String field(JsonMappingException e) {
    String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
    return path.isEmpty() ? "" : ", field '" + path + "'";
  }
}
