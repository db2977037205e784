/** The version of the pipe protocol this companion speaks; clients send it in `companion.hello`. */
export const PROTOCOL_VERSION = 1;
