/** JMH suites and a load generator that speaks etcd's v3 API. */
package io.cairn.bench;
