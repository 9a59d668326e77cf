// Importing this module registers every fact collection; one import line per area file.
import './core.js';

export { collection, collectionNames, type Collection, type FactRecord } from '../collection-registry.js';
