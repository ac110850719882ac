package io.shepherd.api.routes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Responses;
import io.shepherd.api.Router.Role;
import io.shepherd.api.Router;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeStatus;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The OpenAPI 3 document of the API at {@code /api/v1/openapi.json}, written from the route table
 * itself (every route the server serves is in it, and nothing else) with the JSON schemas of the
 * bodies and answers read from their records.
 */
public final class OpenApi {

  private OpenApi() {}

  /** The records the document names, by schema name. */
  static final Map<String, Class<?>> SCHEMAS = new LinkedHashMap<>();

  static {
    SCHEMAS.put("ClusterStatus", ClusterStatus.class);
    SCHEMAS.put("ManagerInfo", Api.ManagerInfo.class);
    SCHEMAS.put("Host", ClusterStatus.Host.class);
    SCHEMAS.put("Group", ClusterStatus.Group.class);
    SCHEMAS.put("NodeStatus", NodeStatus.class);
    SCHEMAS.put("Answer", Api.Answer.class);
    SCHEMAS.put("HostAnswer", Api.HostAnswer.class);
    SCHEMAS.put("SitePlan", Api.SitePlan.class);
    SCHEMAS.put("Tail", LogProtocol.Tail.class);
    SCHEMAS.put("Session", Api.Session.class);
    SCHEMAS.put("Event", Event.class);
    SCHEMAS.put("Problem", Api.Problem.class);
    for (Class<?> body : Api.class.getDeclaredClasses()) {
      if (body.isRecord()) {
        SCHEMAS.putIfAbsent(body.getSimpleName(), body);
      }
    }
  }

  public static void register(ApiServer.Context api) {
    api.router().add("GET", Api.PREFIX + "/openapi.json", Role.READ, "This document.", null, "OpenAPI",
        call -> CompletableFuture.completedFuture(Responses.ok(document(api.router()))));
  }

  /** The document for a route table. */
  public static ObjectNode document(Router router) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode doc = json.objectNode();
    doc.put("openapi", "3.0.3");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Shepherd API");
    info.put("version", "1");
    info.put("description", "The HTTP API of every Shepherd manager member. With TLS on: HTTPS, and every request authenticated by a "
        + "client certificate signed by the cluster's CA or a bearer token (read or operate). Errors are application/problem+json.");
    ObjectNode paths = doc.putObject("paths");
    for (Router.Route route : router.routes()) {
      ObjectNode path = paths.has(route.template()) ? (ObjectNode) paths.get(route.template()) : paths.putObject(route.template());
      ObjectNode operation = path.putObject(route.method().toLowerCase(Locale.ROOT));
      operation.put("summary", route.summary());
      operation.put("operationId", route.method().toLowerCase(Locale.ROOT) + route.template().replaceAll("[^A-Za-z0-9]+", "_"));
      operation.putArray("tags").add(route.role() == Role.READ ? "read" : "operate");
      if (!route.parameters().isEmpty()) {
        ArrayNode parameters = operation.putArray("parameters");
        for (String name : route.parameters()) {
          ObjectNode parameter = parameters.addObject();
          parameter.put("name", name);
          parameter.put("in", "path");
          parameter.put("required", true);
          parameter.putObject("schema").put("type", "string");
        }
      }
      if ("text".equals(route.body())) {
        operation.putObject("requestBody").put("required", true).putObject("content").putObject("text/plain").putObject("schema")
            .put("type", "string");
      } else if (route.body() != null) {
        operation.putObject("requestBody").put("required", !route.body().equals("OpenSession")).putObject("content")
            .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + route.body());
      }
      ObjectNode responses = operation.putObject("responses");
      ObjectNode ok = responses.putObject("2XX");
      ok.put("description", "done");
      String answer = route.answer();
      if (answer.startsWith("text/")) {
        ok.putObject("content").putObject(answer).putObject("schema").put("type", "string");
      } else if (answer.equals("OpenAPI")) {
        ok.putObject("content").putObject("application/json").putObject("schema").put("type", "object");
      } else {
        ObjectNode schema = ok.putObject("content").putObject("application/json").putObject("schema");
        if (answer.endsWith("[]")) {
          schema.put("type", "array").putObject("items").put("$ref", "#/components/schemas/" + answer.substring(0, answer.length() - 2));
        } else {
          schema.put("$ref", "#/components/schemas/" + answer);
        }
      }
      responses.putObject("default").put("description", "an error").putObject("content").putObject(Api.PROBLEM_JSON)
          .putObject("schema").put("$ref", "#/components/schemas/Problem");
    }
    ObjectNode components = doc.putObject("components");
    ObjectNode schemas = components.putObject("schemas");
    Map<String, Class<?>> pending = new LinkedHashMap<>(SCHEMAS);
    while (!pending.isEmpty()) {
      Map.Entry<String, Class<?>> next = pending.entrySet().iterator().next();
      pending.remove(next.getKey());
      if (!schemas.has(next.getKey())) {
        schemas.set(next.getKey(), schema(next.getValue(), pending, schemas));
      }
    }
    ObjectNode security = components.putObject("securitySchemes");
    security.putObject("bearer").put("type", "http").put("scheme", "bearer");
    security.putObject("clientCertificate").put("type", "mutualTLS");
    return doc;
  }

  private static ObjectNode schema(Class<?> type, Map<String, Class<?>> pending, ObjectNode done) {
    ObjectNode schema = JsonNodeFactory.instance.objectNode();
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    for (RecordComponent component : type.getRecordComponents()) {
      properties.set(component.getName(), typeOf(component.getGenericType(), pending, done));
    }
    return schema;
  }

  private static ObjectNode typeOf(Type type, Map<String, Class<?>> pending, ObjectNode done) {
    ObjectNode schema = JsonNodeFactory.instance.objectNode();
    if (type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      if (Collection.class.isAssignableFrom(raw)) {
        schema.put("type", "array").set("items", typeOf(parameterized.getActualTypeArguments()[0], pending, done));
        return schema;
      }
      if (Map.class.isAssignableFrom(raw)) {
        schema.put("type", "object").set("additionalProperties", typeOf(parameterized.getActualTypeArguments()[1], pending, done));
        return schema;
      }
      return typeOf(raw, pending, done);
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class || c == Instant.class || c == Duration.class || c == NodePath.class
        || c == GroupPath.class) {
      schema.put("type", "string");
      if (c == Instant.class) {
        schema.put("format", "date-time");
      }
    } else if (c == boolean.class || c == Boolean.class) {
      schema.put("type", "boolean");
    } else if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
      schema.put("type", "integer");
    } else if (c == double.class || c == Double.class) {
      schema.put("type", "number");
    } else if (c == byte[].class) {
      schema.put("type", "string").put("format", "byte");
    } else if (c.isEnum()) {
      ArrayNode values = schema.put("type", "string").putArray("enum");
      for (Object constant : c.getEnumConstants()) {
        values.add(((Enum<?>) constant).name());
      }
    } else if (c.isRecord()) {
      String name = c.getSimpleName();
      Class<?> known = SCHEMAS.get(name);
      if (known != null && known != c) {
        name = c.getEnclosingClass().getSimpleName() + name;
      }
      if (!done.has(name)) {
        pending.putIfAbsent(name, c);
      }
      schema.put("$ref", "#/components/schemas/" + name);
    } else {
      schema.put("type", "object");
    }
    return schema;
  }
}
