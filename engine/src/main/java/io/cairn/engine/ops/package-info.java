/** What an operator's tooling talks to besides the client API: systemd's notification protocol. */
package io.cairn.engine.ops;
