//! A real Pulsar standalone broker and the real `pulsar-admin`, started as local processes.
//! (Interface stub: the Pulsar side of the local backend fills it.)
