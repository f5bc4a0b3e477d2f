// The artist's side: the project collector, the bundler and the uploader, shared by the AE panel and the `cloudexport` CLI.
export {};
