/* placeholder: see issue 4 */
