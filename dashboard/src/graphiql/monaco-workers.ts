// Monaco (GraphiQL's editor) runs its language services in web workers. They are imported from our
// own source rather than graphiql's `setup-workers/vite`: Vite's dev server pre-bundles dependencies
// and cannot follow `?worker` imports inside them; from here, dev and build both emit the workers.
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker.js?worker';
import GraphQLWorker from 'monaco-graphql/esm/graphql.worker.js?worker';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === 'json') return new JsonWorker();
    if (label === 'graphql') return new GraphQLWorker();
    return new EditorWorker();
  },
};
