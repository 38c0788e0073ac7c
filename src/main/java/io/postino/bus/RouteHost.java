package io.postino.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One host that mail for a domain can be handed to: its name, its MX preference (lower is tried
 * first), its addresses in the order to try them, and the SMTP port.
 *
 * <p>JSON: {@code {"name": "mx1.example.org", "preference": 10, "addresses": ["192.0.2.1",
 * "2001:db8::1"], "port": 25}}, and {@code "dnssec": true} when its address records were
 * DNSSEC-validated (RFC 7672 section 2.2.2: only then are its TLSA records looked up); absent, false.
 */
public record RouteHost(String name, int preference, List<String> addresses, int port, boolean dnssec) {

  /** A host whose addresses DNSSEC did not vouch for. */
  public RouteHost(String name, int preference, List<String> addresses, int port) {
    this(name, preference, addresses, port, false);
  }

  public RouteHost {
    Objects.requireNonNull(name, "name");
    if (preference < 0 || preference > 65535) {
      throw new IllegalArgumentException("preference must be 0..65535: " + preference);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("invalid port: " + port);
    }
    addresses = List.copyOf(addresses);
  }

  /** The same host, its addresses validated or not. */
  public RouteHost withDnssec(boolean validated) {
    return new RouteHost(name, preference, addresses, port, validated);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("name", name)
        .put("preference", preference)
        .put("addresses", new JsonArray(addresses))
        .put("port", port);
    return dnssec ? json.put("dnssec", true) : json;
  }

  public static RouteHost fromJson(JsonObject json) {
    List<String> addresses = new ArrayList<>();
    json.getJsonArray("addresses").forEach(a -> addresses.add((String) a));
    return new RouteHost(json.getString("name"), json.getInteger("preference"), addresses, json.getInteger("port"),
        json.getBoolean("dnssec", false));
  }
}
