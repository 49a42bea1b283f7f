/**
 * The report menu's methods in the sandbox (everything the 39 report streams call beyond
 * DataService and ContactService): importing this module registers them for every sandbox.
 */
import './report-methods-affiliates.js';
import './report-methods-commerce.js';
import './report-methods-search.js';
