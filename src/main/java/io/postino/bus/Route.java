package io.postino.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where mail for a domain goes: the hosts to try, in order (by preference, equal preferences
 * already shuffled), and where that list came from.
 *
 * <p>JSON, the reply body of {@code postino.mx.resolve}: {@code {"domain": "example.org",
 * "hosts": [...], "source": "mx"}} with hosts as in {@link RouteHost}, and {@code "dnssec": true}
 * when the hosts' names were DNSSEC-validated (RFC 7672 section 2.2.1: the MX RRset, or for an
 * implicit MX the domain's address records; a static route's names are the configuration's);
 * absent, false.
 */
public record Route(String domain, List<RouteHost> hosts, Source source, boolean dnssec) {

  /** A route whose host names DNSSEC did not vouch for. */
  public Route(String domain, List<RouteHost> hosts, Source source) {
    this(domain, hosts, source, false);
  }

  /** Where the hosts of a route came from. */
  public enum Source {
    /** The domain's MX records. */
    MX,
    /** No MX record: the domain's own address records (RFC 5321 section 5.1), or an address literal. */
    IMPLICIT,
    /** The static routing table of the configuration. */
    STATIC;

    /** The lower-case name used in JSON. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Source fromJsonName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  public Route {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(source, "source");
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a route has at least one host");
    }
    hosts = List.copyOf(hosts);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    hosts.forEach(h -> array.add(h.toJson()));
    JsonObject json = new JsonObject().put("domain", domain).put("hosts", array).put("source", source.jsonName());
    return dnssec ? json.put("dnssec", true) : json;
  }

  public static Route fromJson(JsonObject json) {
    List<RouteHost> hosts = new ArrayList<>();
    json.getJsonArray("hosts").forEach(h -> hosts.add(RouteHost.fromJson((JsonObject) h)));
    return new Route(json.getString("domain"), hosts, Source.fromJsonName(json.getString("source")),
        json.getBoolean("dnssec", false));
  }
}
