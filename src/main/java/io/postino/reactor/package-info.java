/**
 * Project Reactor on top of the bus contracts: {@link io.postino.reactor.ReactivePostino} turns
 * the request/reply addresses into {@code Mono}s and the published ones into {@code Flux}es, and
 * {@link io.postino.reactor.ReadStreamFlux} bridges a Vert.x {@code ReadStream} with back-pressure.
 *
 * <p>Supported API (reactor-core is an optional dependency: whoever uses this package has it). It
 * depends on {@code io.postino.bus} and {@code io.postino.smtp} only.
 *
 * <p>Supported API (reactor-core is an optional dependency: whoever uses this package has it).
 *
 * <p>Depends on: {@code bus}, {@code smtp}.
 */
package io.postino.reactor;
